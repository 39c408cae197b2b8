import { ArnFormat, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from './config';

const LOG_KEY_ID = 'LogKey';

/**
 * The customer managed key of every log group in one stack, created with the first of them. One
 * per stack, not one per stage: Control Tower's CT.CLOUDWATCH.PR.3 accepts a key ARN only as a
 * literal or a reference inside the same template, and an imported key would also tie every
 * stack's teardown to the stack that owns it.
 */
export function logKeyOf(scope: Construct, config: StageConfig): kms.Key {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(LOG_KEY_ID);
  if (existing) return existing as kms.Key;
  const key = new kms.Key(stack, LOG_KEY_ID, {
    description: `Encrypts the CloudWatch log groups of ${stack.stackName}`,
    enableKeyRotation: true,
    removalPolicy: config.removalPolicy,
    pendingWindow: Duration.days(7),
  });
  // "CloudWatch Logs supports encryption context, using kms:EncryptionContext:aws:logs:arn as the
  // key and the ARN of the log group as the value" (CloudWatch Logs, encrypt-log-data-kms): only
  // the regional Logs service, only for log groups of this account and region.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccountAndRegion',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  return key;
}

export interface PipelineLogGroupProps {
  readonly config: StageConfig;
  /** From the stage config: how long this kind of log is worth keeping. */
  readonly retention: logs.RetentionDays;
}

/**
 * Every log group of the system: encrypted with its stack's log key, with a retention, and
 * removed or retained with the stage's other stateful resources.
 */
export class PipelineLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: PipelineLogGroupProps) {
    super(scope, id, {
      retention: props.retention,
      encryptionKey: logKeyOf(scope, props.config),
      removalPolicy: props.config.removalPolicy,
    });
  }
}

/**
 * The functions CDK brings along (custom resource providers such as the VPC default security group
 * and S3 auto-delete handlers, and AwsCustomResource's) would log to a group Lambda creates on first
 * run, unencrypted and kept forever. Each gets a PipelineLogGroup of its own, created before it.
 * Run once the stack is built, before the Control Tower controls look at its keys.
 */
export function addProviderLogGroups(stack: Stack, config: StageConfig): void {
  for (const node of stack.node.findAll()) {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') continue;
    // Functions that already name their log group (every PipelineFunction, the topic provider).
    if (node instanceof lambda.CfnFunction && node.loggingConfig !== undefined) continue;
    const logGroup = new PipelineLogGroup(node.node.scope!, `${node.node.id}LogGroup`, {
      config,
      retention: config.functions.logRetention,
    });
    node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  }
}
