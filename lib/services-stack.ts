import { CfnOutput, Duration, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { ENV } from '../lambdas/shared/contracts/environment';
import {
  FUNCTION_ID_TAG,
  FUNCTION_IDS,
  FUNCTIONS,
  functionEntry,
  functionLogicalId,
  functionName,
  type FunctionId,
} from '../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS, type Subscription } from '../lambdas/shared/contracts/subscriptions';
import { TABLES, type TableId } from '../lambdas/shared/contracts/tables';
import type { TopicName } from '../lambdas/shared/contracts/topics';
import { type MappingSettings, resourcePrefix, type StageConfig } from './config';
import { KafkaArns } from './kafka-access';
import { Monitoring, type MonitoredFunction } from './monitoring';
import { NotificationEmail } from './notification-email';
import { PipelineFunction } from './pipeline-function';
import {
  failureDestinationFor,
  mappingLogicalId,
  partialBatchResponseFor,
  subscriptionsOf,
  TABLE_ACCESS,
  type TableAccess,
  TABLE_ACTIONS,
  topicsWrittenBy,
  usesKafka,
  mappingSettingsFor,
} from './wiring';
import { PipelineLogGroup } from './log-groups';

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
  /** `-c sesIdentity=`: the SES identity notifications are sent from (see NotificationEmail). */
  readonly sesIdentity?: string;
}

/**
 * The stateless part: every function of FUNCTIONS, one Kafka event source mapping per entry of
 * SUBSCRIPTIONS, the outbox relay on the outbox table's stream, the HTTP API, the dashboard and
 * the alarms. Replacing this stack never touches data.
 */
export class ServicesStack extends Stack {
  readonly functions: Record<FunctionId, PipelineFunction>;
  readonly mappings: Record<string, lambda.EventSourceMapping> = {};
  readonly api: apigwv2.HttpApi;
  readonly apiStage: apigwv2.HttpStage;
  readonly notificationEmail: NotificationEmail;

  private readonly config: StageConfig;
  private readonly kafkaArns: KafkaArns;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    this.kafkaArns = new KafkaArns(this, props.clusterArn, props.clusterName);
    const mappingSettings = (subscription: Subscription): MappingSettings =>
      mappingSettingsFor(subscription, config.mappings);

    this.functions = Object.fromEntries(
      FUNCTION_IDS.map((functionId) => {
        const kafka = usesKafka(functionId);
        const partialBatch = partialBatchResponseFor(functionId, mappingSettings);
        const fn = new PipelineFunction(this, functionLogicalId(functionId), {
          config,
          entry: functionEntry(functionId),
          description: FUNCTIONS[functionId].description,
          serviceName: functionName(functionId),
          vpc: props.vpc,
          securityGroup: kafka ? props.kafkaClientSecurityGroup : props.functionSecurityGroup,
          environment: {
            ...(kafka ? { [ENV.kafkaBootstrapServers]: props.bootstrapBrokers, [ENV.kafkaAuth]: 'iam' } : {}),
            ...(partialBatch === undefined
              ? {}
              : {
                  [ENV.partialBatchResponse]: String(partialBatch),
                  [ENV.keyConcurrency]: String(config.mappings.keyConcurrency),
                }),
          },
        });
        Tags.of(fn).add(FUNCTION_ID_TAG, functionId);
        for (const [tableId, access] of Object.entries(TABLE_ACCESS[functionId]) as [TableId, TableAccess][]) {
          bindTable(fn, tableId, props.tables[tableId], access);
        }
        if (kafka) this.grantKafka(fn, functionId);
        if (partialBatch !== undefined) {
          Validations.of(fn).acknowledge({
            id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
            reason:
              'Attached by ManagedKafkaEventSource: the policy Lambda documents for MSK event pollers (kafka:DescribeClusterV2, GetBootstrapBrokers and the ENI actions, which take no resource ARN). Data-plane access (kafka-cluster:*) is granted per topic and group separately.',
          });
        }
        return [functionId, fn];
      }),
    ) as Record<FunctionId, PipelineFunction>;

    this.bindArchive(this.functions.archive, props.archiveBucket, props.archiveWritePolicy);
    for (const subscription of SUBSCRIPTIONS) {
      this.mappings[subscription.id] = this.addKafkaMapping(subscription, mappingSettings(subscription), props);
    }
    this.addOutboxRelay(props.tables.outbox, props.outboxRelayFailureQueue);
    this.scheduleOutboxSweeper();
    [this.api, this.apiStage] = this.addHttpApi(this.functions.orderApi);
    this.addClickAndAnalyticsRoutes(this.api);

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
      identity: props.sesIdentity,
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

  /** Per-topic and per-group kafka-cluster actions: exactly what this function reads, writes and joins. */
  private grantKafka(fn: lambda.Function, functionId: FunctionId): void {
    const subscriptions = subscriptionsOf(functionId);
    const writeTopics = topicsWrittenBy(functionId);
    for (const statement of this.kafkaArns.statements({
      readTopics: subscriptions.map((s) => s.topic),
      consumerGroups: subscriptions.map((s) => s.consumerGroupId),
      writeTopics,
      idempotentProducer: writeTopics.length > 0,
    })) {
      fn.addToRolePolicy(statement);
    }
  }

  private bindArchive(fn: lambda.Function, bucket: s3.IBucket, writePolicy: iam.IManagedPolicy): void {
    fn.addEnvironment(ENV.archiveBucket, bucket.bucketName);
    fn.role!.addManagedPolicy(writePolicy);
  }

  private addKafkaMapping(
    subscription: Subscription,
    settings: MappingSettings,
    props: ServicesStackProps,
  ): lambda.EventSourceMapping {
    const fn = this.functions[subscription.functionId];
    const destination = failureDestinationFor(subscription);
    const source = new sources.ManagedKafkaEventSource({
      clusterArn: props.clusterArn,
      topic: subscription.topic,
      consumerGroupId: subscription.consumerGroupId,
      // A new consumer group starts at the oldest retained record: nothing published before the
      // mapping existed is skipped. Later deployments resume from the group's committed offsets.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: settings.batchSize,
      maxBatchingWindow: settings.maxBatchingWindow,
      retryAttempts: settings.retryAttempts,
      maxRecordAge: settings.maxRecordAge,
      bisectBatchOnError: settings.bisectBatchOnError,
      reportBatchItemFailures: settings.reportBatchItemFailures,
      provisionedPollerConfig: {
        minimumPollers: settings.pollers.minimum,
        maximumPollers: settings.pollers.maximum,
        pollerGroupName: resourcePrefix(this.config.stage),
      },
      // Lambda filters Kafka records on their value only.
      filters: subscription.filter ? [lambda.FilterCriteria.filter({ value: subscription.filter })] : undefined,
      onFailure:
        destination.kind === 'kafka'
          ? new sources.KafkaDlq(destination.topic)
          : new sources.SqsDlq(requireQueue(props.mappingFailureQueues, subscription.id)),
      // "You must opt-in the metric group": EventCount carries OnFailureDestinationDeliveredEventCount
      // and DroppedEventCount, which the alarm on given-up records needs in every stage
      // (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html#event-source-mapping-metrics).
      metricsConfig: {
        metrics: [
          lambda.MetricType.EVENT_COUNT,
          ...(settings.enhancedMetrics ? [lambda.MetricType.ERROR_COUNT, lambda.MetricType.KAFKA_METRICS] : []),
        ],
      },
    });
    const before = new Set(fn.node.children);
    fn.addEventSource(source);
    const mapping = fn.node.children.find(
      (c): c is lambda.EventSourceMapping => !before.has(c) && c instanceof lambda.EventSourceMapping,
    );
    if (!mapping) throw new Error(`No event source mapping was created for ${subscription.id}`);
    (mapping.node.defaultChild as lambda.CfnEventSourceMapping).overrideLogicalId(mappingLogicalId(subscription));
    // The mapping names its topic as a plain string, so nothing tells CloudFormation to create the
    // topic first. The topic lives in the streaming stack: this makes the services stack wait for it.
    mapping.node.addDependency(props.topics[subscription.topic]);
    return mapping;
  }

  private addOutboxRelay(outbox: dynamodb.ITable, failures: sqs.IQueue): void {
    const relay = this.functions.outboxRelay;
    relay.addEventSource(
      new sources.DynamoEventSource(outbox, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        // Only new outbox items are events to publish; TTL deletions (REMOVE) are not.
        filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: this.config.mappings.retryAttempts,
        // The failure record names the stream shard and sequence numbers; the item itself stays in
        // the outbox table until its TTL, so it can be re-published from there.
        onFailure: new sources.SqsDlq(failures),
      }),
    );
    const mapping = relay.node.children.find(
      (c): c is lambda.EventSourceMapping => c instanceof lambda.EventSourceMapping,
    );
    (mapping!.node.defaultChild as lambda.CfnEventSourceMapping).overrideLogicalId('OutboxRelayStreamMapping');
    Validations.of(relay).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (no resource-level permissions) and dynamodb:ListStreams, which DynamoDB only authorises on Resource "*"; reading the stream itself is scoped to the outbox stream ARN.',
    });
  }

  /**
   * The sweeper runs every five minutes and re-publishes entries unmarked for ten: far beyond the
   * relay's normal lag (seconds), so it acts only on what the relay's mapping gave up on or lost.
   */
  private scheduleOutboxSweeper(): void {
    const sweeper = this.functions.outboxSweeper;
    sweeper.addEnvironment(ENV.outboxSweepAfterSeconds, String(OUTBOX_SWEEP.afterSeconds));
    new events.Rule(this, 'OutboxSweeperSchedule', {
      description: 'Re-publishes outbox entries that no relay marked published',
      schedule: events.Schedule.rate(OUTBOX_SWEEP.every),
      // A missed run is covered by the next one five minutes later: no retries, no queue.
      targets: [new targets.LambdaFunction(sweeper, { retryAttempts: 0 })],
    });
  }

  private addHttpApi(orderApi: lambda.IFunction): [apigwv2.HttpApi, apigwv2.HttpStage] {
    const iamAuth = this.config.api.authorization === 'iam';
    const api = new apigwv2.HttpApi(this, 'OrdersApi', {
      apiName: `${resourcePrefix(this.config.stage)}-orders`,
      description: 'POST /orders, GET /orders/{order_id}',
      createDefaultStage: false,
      defaultAuthorizer: iamAuth ? new HttpIamAuthorizer() : undefined,
    });
    const accessLogs = new PipelineLogGroup(this, 'OrdersApiAccessLogs', {
      config: this.config,
      retention: this.config.functions.logRetention,
    });
    const stage = new apigwv2.HttpStage(this, 'OrdersApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: this.config.api.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigwAccessLogFormat(),
      },
    });
    const integration = new HttpLambdaIntegration('OrderApiIntegration', orderApi);
    api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.POST], integration });
    api.addRoutes({ path: '/orders/{order_id}', methods: [apigwv2.HttpMethod.GET], integration });
    if (!iamAuth) {
      Validations.of(api).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Demo deployment chosen with -c apiAuth=none: the routes are public on purpose. The default is IAM.',
      });
    }
    return [api, stage];
  }

  /**
   * POST /clicks on the click API; the analytics reads and the dashboard page on the analytics API.
   * Both follow the API's authorization (IAM by default), like the order routes.
   */
  private addClickAndAnalyticsRoutes(api: apigwv2.HttpApi): void {
    const clicks = new HttpLambdaIntegration('ClickApiIntegration', this.functions.clickApi);
    api.addRoutes({ path: '/clicks', methods: [apigwv2.HttpMethod.POST], integration: clicks });
    const analytics = new HttpLambdaIntegration('AnalyticsApiIntegration', this.functions.analyticsApi);
    for (const path of ANALYTICS_ROUTES) {
      api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration: analytics });
    }
  }
}

/** How often the outbox sweeper runs, and how old an unmarked entry must be for it to re-publish it. */
export const OUTBOX_SWEEP = { every: Duration.minutes(5), afterSeconds: 600 } as const;

/** The GET routes of the analytics API function. */
export const ANALYTICS_ROUTES = [
  '/analytics/popular-products',
  '/analytics/users/{user_id}/recent',
  '/analytics/summary',
  '/dashboard',
] as const;

/** The function gets the table's name in TABLES[...].envVar and exactly the grant it needs. */
export function bindTable(fn: lambda.Function, tableId: TableId, table: dynamodb.ITable, access: TableAccess): void {
  const spec: (typeof TABLES)[TableId] = TABLES[tableId];
  fn.addEnvironment(spec.envVar, table.tableName);
  if (access === 'R' || access === 'RW') {
    if (access === 'R') table.grantReadData(fn);
    else table.grantReadWriteData(fn);
    return;
  }
  // The narrow kinds name exactly the table, and for Query the one index.
  const indexArn = 'sparseIndex' in spec ? [`${table.tableArn}/index/${spec.sparseIndex.name}`] : [];
  for (const action of TABLE_ACTIONS[access]) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [action],
        resources: action === 'dynamodb:Query' ? indexArn : [table.tableArn],
      }),
    );
  }
}

function requireQueue(queues: Record<string, sqs.IQueue>, subscriptionId: string): sqs.IQueue {
  const queue = queues[subscriptionId];
  if (!queue) throw new Error(`No on-failure queue for ${subscriptionId} in the data stack`);
  return queue;
}

/** JSON, one line per request, with the caller's IAM identity when the route is IAM-authorised. */
function apigwAccessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      requestTime: '$context.requestTime',
      sourceIp: '$context.identity.sourceIp',
      caller: '$context.identity.userArn',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      latencyMs: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
    }),
  );
}
