import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { FUNCTION_IDS, functionLogicalId, functionName, type FunctionId } from '../lambdas/shared/contracts/functions';
import type { TableId } from '../lambdas/shared/contracts/tables';
import type { TopicName } from '../lambdas/shared/contracts/topics';
import type { StageConfig } from './config';
import { addHttpApi } from './http-api';
import { KafkaArns } from './kafka-access';
import { addKafkaMappings, declareKafkaMappings, mappingSettingsOf } from './kafka-mappings';
import { Monitoring, type MonitoredFunction } from './monitoring';
import { NotificationEmail } from './notification-email';
import { addOutboxRelay, scheduleOutboxSweeper } from './outbox-relay';
import type { PipelineFunction } from './pipeline-function';
import { createPipelineFunctions } from './pipeline-functions';
import { subscriptionsOf } from './wiring';

export interface ServicesStackProps extends StackProps {
  readonly config: StageConfig;
  readonly vpc: ec2.IVpc;
  readonly kafkaClientSecurityGroup: ec2.ISecurityGroup;
  readonly functionSecurityGroup: ec2.ISecurityGroup;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly bootstrapBrokers: string;
  readonly topics: Record<TopicName, IConstruct>;
  readonly tables: Record<TableId, dynamodb.ITable>;
  readonly archiveBucket: s3.IBucket;
  readonly archiveWritePolicy: iam.IManagedPolicy;
  /** On-failure destination of the outbox relay (in the data stack: it outlives this one). */
  readonly outboxRelayFailureQueue: sqs.IQueue;
  /** On-failure destinations of the Kafka mappings that fail into a queue, by subscription id. */
  readonly mappingFailureQueues: Record<string, sqs.IQueue>;
}

/**
 * The stateless part: every function of FUNCTIONS (pipeline-functions.ts), one Kafka event source
 * mapping per entry of SUBSCRIPTIONS (kafka-mappings.ts), the outbox relay and its sweeper
 * (outbox-relay.ts), the HTTP API (http-api.ts), the dashboard and the alarms. Replacing this
 * stack never touches data. Each part creates its resources in this stack's scope, so their
 * logical ids do not depend on how the code is split.
 */
export class ServicesStack extends Stack {
  readonly functions: Record<FunctionId, PipelineFunction>;
  /** The Kafka event source mappings, by subscription id. */
  readonly mappings: Record<string, lambda.EventSourceMapping>;
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly notificationEmail: NotificationEmail;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { config } = props;
    const declarations = declareKafkaMappings(config);

    this.functions = createPipelineFunctions(this, {
      config,
      vpc: props.vpc,
      kafkaClientSecurityGroup: props.kafkaClientSecurityGroup,
      functionSecurityGroup: props.functionSecurityGroup,
      bootstrapBrokers: props.bootstrapBrokers,
      kafkaArns: new KafkaArns(this, props.clusterArn, props.clusterName),
      tables: props.tables,
      archiveBucket: props.archiveBucket,
      archiveWritePolicy: props.archiveWritePolicy,
      mappingSettings: (subscription) => mappingSettingsOf(subscription, config),
    });
    this.mappings = addKafkaMappings({
      config,
      declarations,
      functions: this.functions,
      clusterArn: props.clusterArn,
      topics: props.topics,
      failureQueues: props.mappingFailureQueues,
    });
    addOutboxRelay({
      config,
      relay: this.functions.outboxRelay,
      outbox: props.tables.outbox,
      failureQueue: props.outboxRelayFailureQueue,
    });
    scheduleOutboxSweeper(this, this.functions.outboxSweeper);
    ({ api: this.api, stage: this.apiStage } = addHttpApi(this, {
      config,
      orderApi: this.functions.orderApi,
      clickApi: this.functions.clickApi,
      analyticsApi: this.functions.analyticsApi,
    }));

    const monitored: MonitoredFunction[] = FUNCTION_IDS.map((functionId) => ({
      functionId,
      fn: this.functions[functionId],
      serviceName: functionName(functionId),
      mappings: subscriptionsOf(functionId).map((subscription) => ({
        subscription,
        mapping: this.mappings[subscription.id],
      })),
    }));
    const monitoring = new Monitoring(this, 'Monitoring', {
      config,
      functions: monitored,
      tables: props.tables,
      apiStage: this.apiStage,
      outboxRelay: this.functions.outboxRelay,
      outboxFailureQueue: props.outboxRelayFailureQueue,
      mappingFailureQueues: props.mappingFailureQueues,
      clusterName: props.clusterName,
    });

    this.notificationEmail = new NotificationEmail(this, 'NotificationEmail', {
      config,
      notifications: this.functions.notifications,
      alarmTopic: monitoring.alarmTopic,
    });

    new CfnOutput(this, 'DashboardUrl', {
      value: `${this.apiStage.url}dashboard`,
      description: 'Live dashboard page (GET, same authorization as the API)',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'Order API base URL (POST /orders)' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: monitoring.alarmTopic.topicArn,
      description: 'SNS topic of every alarm',
    });
    new CfnOutput(this, 'DashboardName', {
      value: monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard',
    });
    for (const functionId of FUNCTION_IDS) {
      new CfnOutput(this, `${functionLogicalId(functionId)}Name`, {
        value: this.functions[functionId].functionName,
        description: `Lambda function ${functionId}`,
      });
    }
  }
}
