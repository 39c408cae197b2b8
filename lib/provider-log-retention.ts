import { CfnResource, type IAspect, type RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * The functions CDK brings along (custom resource providers such as the VPC default security group
 * and S3 auto-delete handlers, and AwsCustomResource's) log to a group Lambda creates on first run,
 * kept forever. Each gets a log group of its own with the stage's retention, created before it.
 */
export class ProviderLogRetention implements IAspect {
  constructor(
    private readonly retention: logs.RetentionDays,
    private readonly removalPolicy: RemovalPolicy,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    // Functions that already name their log group (every PipelineFunction, the topic provider).
    if (node instanceof lambda.CfnFunction && node.loggingConfig !== undefined) return;
    const logGroup = new logs.LogGroup(node.node.scope!, `${node.node.id}LogGroup`, {
      retention: this.retention,
      removalPolicy: this.removalPolicy,
    });
    node.addPropertyOverride('LoggingConfig.LogGroup', logGroup.logGroupName);
  }
}
