import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, CfnResource, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { StageConfig } from './config';
import type { DataStack } from './data-stack';
import { PipelineFunction } from './pipeline-function';

/**
 * The AWS Control Tower proactive controls (cfn-guard rules bundled with the validator) over every
 * template of the app: `cdk synth` and `app.synth()` report any violation no exception below covers.
 */
export function addControlTowerChecks(app: App): CfnGuardValidator {
  // The guard results of four templates run past Node's default 1 MB output buffer.
  const validator = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 });
  Validations.of(app).addPlugins(validator);
  return validator;
}

/** The validator's plugin name: the namespace of its rule ids in acknowledgements and reports. */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/** One control that does not fit some resources of this system, and why. Listed in the README. */
export interface ControlException {
  /** The Control Tower control, e.g. `CT.LAMBDA.PR.3`. */
  readonly control: string;
  /** The cfn-guard rule that checks it. */
  readonly rule: string;
  readonly reason: string;
  /** The resources it does not fit, in the stage being built. */
  readonly resources: (scope: PipelineScope) => IConstruct[];
}

interface PipelineScope {
  readonly app: App;
  /** The stacks whose resources an exception names (only the data stack's today). */
  readonly stacks: { readonly data: DataStack };
  readonly config: StageConfig;
}

const all = <T extends IConstruct>(app: App, test: (c: IConstruct) => c is T): T[] => app.node.findAll().filter(test);
const isPipelineFunction = (c: IConstruct): c is PipelineFunction => c instanceof PipelineFunction;
/** CDK's own handlers: custom resource providers, which take no VPC or come without one. */
const isCdkProviderFunction = (c: IConstruct): c is CfnResource =>
  CfnResource.isCfnResource(c) &&
  c.cfnResourceType === 'AWS::Lambda::Function' &&
  !(c.node.scope instanceof PipelineFunction);

export const CONTROL_EXCEPTIONS: readonly ControlException[] = [
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    reason:
      "In the VPC: every function's VpcConfig names the private subnets and its security group, which the network stack exports; the rule accepts only literal IDs or resources of the same template, not Fn::ImportValue. The infra tests assert each function's VpcConfig.",
    resources: ({ app }) => all(app, isPipelineFunction),
  },
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    reason:
      "CDK's own custom resource providers (the default security group's rule removal, the bootstrap broker lookup, the topic provider framework, dev's bucket emptying) run only during deployments and call AWS APIs (EC2, MSK, Lambda, S3) that the VPC, which has no NAT gateway by design, could reach only through more interface endpoints.",
    resources: ({ app }) => all(app, isCdkProviderFunction),
  },
  {
    control: 'CT.LAMBDA.PR.2',
    rule: 'lambda_function_public_access_prohibited_check',
    reason:
      "Not public: API Gateway's permission to invoke the order API names the service principal and this API's execute-api ARN as SourceArn; the rule cannot read an ARN built with Fn::Join from the API's id.",
    resources: ({ app }) =>
      all(
        app,
        (c): c is lambda.CfnPermission =>
          c instanceof lambda.CfnPermission && c.principal === 'apigateway.amazonaws.com' && c.sourceArn !== undefined,
      ),
  },
  {
    control: 'CT.APIGATEWAY.PR.5',
    rule: 'api_gw_v2_authorization_type_configured_check',
    reason:
      'Demo deployment chosen with -c apiAuth=none: the routes are public on purpose. The default is IAM authorization.',
    resources: ({ app, config }) =>
      config.api.authorization === 'none' ? all(app, (c): c is apigwv2.CfnRoute => c instanceof apigwv2.CfnRoute) : [],
  },
  {
    control: 'CT.S3.PR.9',
    rule: 's3_bucket_object_lock_enabled_check',
    reason:
      'A redelivered batch overwrites its own object, and lifecycle expires the superseded version: a default retention would keep every superseded copy for the whole lock period and stop a dev teardown from emptying the bucket. Versioning, TLS-only access and a write-only policy (no s3:DeleteObject for any function) protect the history.',
    resources: ({ stacks }) => [stacks.data.archiveBucket],
  },
  {
    control: 'CT.S3.PR.9',
    rule: 's3_bucket_object_lock_enabled_check',
    reason:
      'S3 documents that "S3 buckets that have S3 Object Lock enabled can\'t be used as destination buckets for server access logs".',
    resources: ({ stacks }) => [stacks.data.accessLogBucket],
  },
  {
    control: 'CT.S3.PR.2',
    rule: 's3_bucket_logging_enabled_check',
    reason:
      'This is the server access log bucket of the archive: S3 says delivering logs to the logged bucket "will cause an infinite loop of logs".',
    resources: ({ stacks }) => [stacks.data.accessLogBucket],
  },
  {
    control: 'CT.S3.PR.10',
    rule: 's3_bucket_default_encryption_kms_check',
    reason:
      "Server access logs hold request metadata, not order data: S3-managed keys, so that S3's log delivery needs no grant on a customer managed key. The archive itself is SSE-KMS.",
    resources: ({ stacks }) => [stacks.data.accessLogBucket],
  },
  {
    control: 'CT.S3.PR.4',
    rule: 's3_event_notifications_enabled_check',
    reason: 'Nothing reacts to the delivery of an access log; the archive bucket sends its events to EventBridge.',
    resources: ({ stacks }) => [stacks.data.accessLogBucket],
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    rule: 'cloudwatch_log_group_retention_period_check',
    reason:
      'A stage whose stacks delete their log groups on teardown (RemovalPolicy.DESTROY, dev) keeps logs a week (lib/config.ts); a year would outlive the stage. Prod keeps every log a year.',
    resources: ({ app, config }) =>
      config.removalPolicy === RemovalPolicy.DESTROY
        ? all(app, (c): c is logs.LogGroup => c instanceof logs.LogGroup)
        : [],
  },
];

/**
 * What the controls ask of every resource of a kind, applied once over the whole stage, and the
 * exceptions above acknowledged on their resources (as cdk-nag's are, with the reason).
 */
export function applyControlTowerControls(scope: PipelineScope): void {
  for (const key of all(scope.app, (c): c is kms.Key => c instanceof kms.Key)) {
    key.addToResourcePolicy(denyGrantsNotForAwsResources());
  }
  for (const exception of CONTROL_EXCEPTIONS) {
    for (const resource of exception.resources(scope)) {
      Validations.of(resource).acknowledge({
        id: `${CONTROL_TOWER_PLUGIN}::${exception.rule}`,
        reason: `${exception.control}: ${exception.reason}`,
      });
    }
  }
}

/**
 * CT.KMS.PR.3: only an AWS service acting for a resource of this account (MSK's broker volumes, say)
 * may create a grant on a key; nobody can hand a key's use to an arbitrary principal by a grant.
 */
function denyGrantsNotForAwsResources(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
    },
  });
}
