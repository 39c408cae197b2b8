import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionId } from '../lambdas/shared/contracts/functions';
import { METRICS, METRICS_NAMESPACE } from '../lambdas/shared/contracts/metrics';
import { pascal } from '../lambdas/shared/contracts/names';
import type { Subscription } from '../lambdas/shared/contracts/subscriptions';
import type { TableId } from '../lambdas/shared/contracts/tables';
import { resourcePrefix, type StageConfig } from './config';

export interface MonitoredFunction {
  readonly functionId: FunctionId;
  readonly fn: lambda.IFunction;
  readonly serviceName: string;
  readonly mappings: readonly { readonly subscription: Subscription; readonly mapping: lambda.IEventSourceMapping }[];
}

export interface MonitoringProps {
  readonly config: StageConfig;
  readonly functions: readonly MonitoredFunction[];
  readonly tables: Record<TableId, dynamodb.ITable>;
  readonly apiStage: apigwv2.IHttpStage;
  readonly outboxRelay: lambda.IFunction;
  readonly outboxFailureQueue: sqs.IQueue;
  /** On-failure queues of the Kafka mappings that do not fail into Kafka, by subscription id. */
  readonly mappingFailureQueues: Record<string, sqs.IQueue>;
  /** The MSK cluster's name: the `Cluster Name` dimension of its metrics. */
  readonly clusterName: string;
}

/** Brokers of a provisioned cluster, as MSK numbers them in the `Broker ID` dimension. */
const BROKER_IDS = [1, 2, 3] as const;

/**
 * One dashboard and the alarms that page: mapping offset lag, a mapping that stopped polling,
 * function errors and throttles, dead-letter arrivals, records Lambda gave up on or dropped,
 * DynamoDB throttles, API errors, the outbox relay's backlog and, on a provisioned cluster, broker
 * health (offline and under-min-ISR partitions, the active controller, CPU, disk). Every alarm
 * notifies one encrypted SNS topic.
 *
 * Missing data is "not breaching" for the metrics that only exist when something happens (errors,
 * dead letters, throttles), and "breaching" where a healthy system always reports: a stalled
 * mapping and the broker health metrics, which a cluster that is down or unreachable stops sending.
 */
export class Monitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config } = props;
    const prefix = resourcePrefix(config.stage);

    // CloudWatch can publish to an encrypted topic only with a customer managed key whose policy
    // lets the CloudWatch service use it; the AWS managed aws/sns key cannot be shared that way.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the alarm notifications',
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${prefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarms.email) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarms.email));
    }
    const alarmAction = new actions.SnsAction(this.alarmTopic);
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      periods = 1,
      options: {
        readonly missing?: cloudwatch.TreatMissingData;
        readonly comparison?: cloudwatch.ComparisonOperator;
      } = {},
    ) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${prefix}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      this.alarms.push(created);
      return created;
    };

    const fiveMinutes = Duration.minutes(5);
    /** A count summed over five minutes, the period of every count on the dashboard and in the alarms. */
    const sum = (namespace: string, metricName: string, dimensionsMap: Record<string, string>) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        dimensionsMap,
        statistic: cloudwatch.Stats.SUM,
        period: fiveMinutes,
      });
    const widgets: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.TextWidget({
          markdown: `# Order pipeline (${config.stage}, ${config.clusterType} MSK)\nOffset lag per event source mapping, function health, dead letters, DynamoDB throttles and API errors.`,
          width: 24,
          height: 2,
        }),
      ],
    ];

    // Kafka consumers: offset lag per mapping and per function.
    const lagWidgets: cloudwatch.IWidget[] = [];
    for (const f of props.functions.filter((x) => x.mappings.length > 0)) {
      const name = pascal(f.functionId);
      const functionLag = new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'OffsetLag',
        dimensionsMap: { FunctionName: f.fn.functionName },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      });
      alarm(
        `${name}OffsetLag`,
        functionLag,
        config.alarms.offsetLagThreshold,
        `${f.functionId} is falling behind: offset lag of its busiest mapping has stayed at or above ${config.alarms.offsetLagThreshold} records for 15 minutes`,
        15,
      );
      lagWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${f.functionId}: offset lag per mapping`,
          width: 12,
          left: f.mappings.map(
            ({ subscription, mapping }) =>
              // Lambda publishes OffsetLag per function and, for each mapping, under the mapping's
              // UUID; a search on the UUID finds that series whatever its dimension set is.
              new cloudwatch.MathExpression({
                expression: `SEARCH('{AWS/Lambda} MetricName="OffsetLag" "${mapping.eventSourceMappingId}"', 'Maximum', 60)`,
                label: `${subscription.topic} (${subscription.consumerGroupId})`,
                usingMetrics: {},
                period: Duration.minutes(1),
              }),
          ),
          right: [functionLag.with({ label: 'function max' })],
        }),
      );
    }
    widgets.push(lagWidgets);

    // A mapping that stopped: records wait in its consumer group and Lambda polls none. An event
    // source mapping that cannot reach the cluster (IAM, security groups, a missing endpoint, the
    // cluster down) reports no OffsetLag, invocations or errors, so the alarms above stay quiet.
    // MSK's own consumer-lag metric keeps reporting the group's lag from the brokers' side:
    // "Consumer lag metrics quantify the difference between the latest data written to your
    // topics and the data read by your applications" and "are emitted only if a consumer group is
    // in a STABLE or EMPTY state" (https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html).
    // The metrics page lists MaxOffsetLag with the dimensions "Consumer Group, Topic"
    // (https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html); the serverless
    // page adds "Cluster Name", so both series are read and the larger one counts. PolledEventCount
    // (EventCount metrics group, on in every stage) counts what the mapping read. With neither
    // series for 15 minutes (the group never committed and the mapping reports nothing) the alarm
    // fires too: missing data is breaching.
    for (const f of props.functions) {
      for (const { subscription, mapping } of f.mappings) {
        const lagMetric = (dimensionsMap: Record<string, string>) =>
          new cloudwatch.Metric({
            namespace: 'AWS/Kafka',
            metricName: 'MaxOffsetLag',
            dimensionsMap,
            statistic: cloudwatch.Stats.MAXIMUM,
            period: fiveMinutes,
          });
        const group = { 'Consumer Group': subscription.consumerGroupId, Topic: subscription.topic };
        const stalled = new cloudwatch.MathExpression({
          expression: 'IF(MAX([FILL(lag, 0), FILL(lagc, 0)]) > 0 AND FILL(polled, 0) == 0, 1, 0)',
          usingMetrics: {
            lag: lagMetric(group),
            lagc: lagMetric({ 'Cluster Name': props.clusterName, ...group }),
            polled: sum('AWS/Lambda', 'PolledEventCount', { EventSourceMappingUUID: mapping.eventSourceMappingId }),
          },
          label: `${subscription.id} stalled`,
          period: fiveMinutes,
        });
        alarm(
          `${pascal(subscription.id)}Stalled`,
          stalled,
          1,
          `The ${f.functionId} mapping on ${subscription.topic} (group ${subscription.consumerGroupId}) polled nothing for 15 minutes while records wait in its group, or neither Lambda nor MSK reports on it: check the mapping's state and last processing result, the cluster, and the route from the cluster's subnets`,
          3,
          { missing: cloudwatch.TreatMissingData.BREACHING },
        );
      }
    }

    // Function health.
    const healthWidgets: cloudwatch.IWidget[] = [];
    for (const f of props.functions) {
      const name = pascal(f.functionId);
      const errors = f.fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
      const throttles = f.fn.metricThrottles({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
      alarm(
        `${name}Errors`,
        errors,
        1,
        `${f.functionId} invocations failed (a crash or timeout, not a handled record failure)`,
      );
      alarm(`${name}Throttles`, throttles, 1, `${f.functionId} was throttled`);
      healthWidgets.push(
        new cloudwatch.GraphWidget({
          title: `${f.functionId}: invocations, errors, throttles`,
          width: 8,
          left: [f.fn.metricInvocations({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })],
          right: [errors, throttles],
        }),
      );
    }
    widgets.push(healthWidgets);

    // Dead letters written by the functions (poison records, with the reason), per service.
    const deadLetterMetrics = [
      ...new Set(props.functions.filter((f) => f.mappings.length > 0).map((f) => f.serviceName)),
    ].map((service) => {
      const metric = sum(METRICS_NAMESPACE, METRICS.recordsDeadLettered, { service });
      alarm(
        `${pascal(service)}DeadLetters`,
        metric,
        1,
        `${service} dead-lettered at least one record; read the dead_letter topic (or the archive) for the reason`,
      );
      return metric.with({ label: service });
    });
    // Records Lambda itself gave up on (retries exhausted or too old), per mapping: those it sent to
    // the on-failure destination and those it dropped because that delivery failed too. Both are in
    // the mapping's EventCount metrics group, which every stage turns on for this alarm.
    const lambdaFailures = props.functions.flatMap((f) =>
      f.mappings.map(({ subscription, mapping }) => {
        const metric = (metricName: string) =>
          sum('AWS/Lambda', metricName, { EventSourceMappingUUID: mapping.eventSourceMappingId });
        // Ids must be unique across the expressions of one graph.
        const [delivered, dropped] = [`delivered_${subscription.id}`, `dropped_${subscription.id}`];
        const givenUp = new cloudwatch.MathExpression({
          expression: `FILL(${delivered}, 0) + FILL(${dropped}, 0)`,
          usingMetrics: {
            [delivered]: metric('OnFailureDestinationDeliveredEventCount'),
            [dropped]: metric('DroppedEventCount'),
          },
          label: subscription.id,
          period: fiveMinutes,
        });
        alarm(
          `${pascal(subscription.id)}GivenUp`,
          givenUp,
          1,
          `Lambda gave up on records of ${subscription.topic} for the ${f.functionId} mapping (group ${subscription.consumerGroupId}) after its retries: read them in the on-failure destination and re-drive them`,
        );
        // Dropped: the on-failure destination did not take them either. For the Kafka destination
        // that is the same cluster the records came from, so an outage that exhausts the retries
        // can drop them too: nothing but the group's offsets then says which records to re-drive.
        alarm(
          `${pascal(subscription.id)}Dropped`,
          metric('DroppedEventCount'),
          1,
          `Lambda DROPPED records of ${subscription.topic} for the ${f.functionId} mapping (group ${subscription.consumerGroupId}): its on-failure destination did not take them. Re-drive from the topic by offset (docs/deploy.md, "Re-driving dropped records") before the topic's retention passes`,
        );
        return givenUp;
      }),
    );

    // DynamoDB throttles per table.
    const tableThrottles = (Object.entries(props.tables) as [TableId, dynamodb.ITable][]).map(([tableId, table]) => {
      const metric = (metricName: string) => sum('AWS/DynamoDB', metricName, { TableName: table.tableName });
      // Ids must be unique across the expressions of one graph.
      const [reads, writes] = [`r_${tableId}`, `w_${tableId}`];
      const expression = new cloudwatch.MathExpression({
        expression: `${reads} + ${writes}`,
        usingMetrics: { [reads]: metric('ReadThrottleEvents'), [writes]: metric('WriteThrottleEvents') },
        label: tableId,
        period: fiveMinutes,
      });
      alarm(`${pascal(tableId)}TableThrottles`, expression, 1, `DynamoDB throttled requests on the ${tableId} table`);
      return expression;
    });

    widgets.push([
      new cloudwatch.GraphWidget({ title: 'Dead letters written by the functions', width: 8, left: deadLetterMetrics }),
      new cloudwatch.GraphWidget({
        title: 'Records Lambda gave up on (on-failure destination or dropped)',
        width: 8,
        left: lambdaFailures,
      }),
      new cloudwatch.GraphWidget({ title: 'DynamoDB throttled requests', width: 8, left: tableThrottles }),
    ]);

    // Billing's cases for an operator: a refund refused for good, a claim too old to retry (docs/design.md, "Refund").
    const billing = props.functions.find((f) => f.functionId === 'billing');
    if (billing) {
      const billingMetric = (metricName: string) =>
        sum(METRICS_NAMESPACE, metricName, { service: billing.serviceName });
      alarm(
        'RefundsFailed',
        billingMetric(METRICS.refundsFailed),
        1,
        'The payment provider refused a refund for good; the ledger entry is refund_failed with the reason: settle it with the customer',
      );
      alarm(
        'BillingClaimsLeftForReconciler',
        billingMetric(METRICS.billingClaimsLeftForReconciler),
        1,
        'A charge or refund claim was met beyond the provider key lifetime and not retried: run the reconciler and check the provider',
      );
    }

    // The outbox sweeper: an entry it cannot publish keeps an accepted order out of Kafka.
    const sweeper = props.functions.find((f) => f.functionId === 'outboxSweeper');
    if (sweeper) {
      alarm(
        'OutboxSweepFailures',
        sum(METRICS_NAMESPACE, METRICS.outboxSweepFailures, { service: sweeper.serviceName }),
        1,
        'The outbox sweeper could not publish an unmarked outbox entry (broker down or a malformed entry): its order is not in Kafka yet; the logs name the event id',
      );
    }

    // HTTP API and the outbox relay.
    const clientErrors = props.apiStage.metricClientError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
    const serverErrors = props.apiStage.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
    alarm('Api5xx', serverErrors, 1, 'The order API answered with 5xx errors');
    alarm('Api4xx', clientErrors, config.alarms.api4xxThreshold, 'Unusually many 4xx answers from the order API');
    const iteratorAge = props.outboxRelay.metric('IteratorAge', {
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    const relayFailures = props.outboxFailureQueue.metricApproximateNumberOfMessagesVisible({
      period: fiveMinutes,
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    alarm(
      'OutboxRelayIteratorAge',
      iteratorAge,
      config.alarms.outboxIteratorAgeSeconds * 1000,
      'The outbox relay is falling behind the outbox table stream: new orders reach Kafka late',
      5,
    );
    alarm(
      'OutboxRelayFailures',
      relayFailures,
      1,
      'The outbox relay gave up on stream records: their orders are in the outbox table but not in Kafka',
    );
    const mappingsById = new Map(
      props.functions.flatMap((f) =>
        f.mappings.map(({ subscription }) => [subscription.id, { f, subscription }] as const),
      ),
    );
    const mappingFailures = Object.entries(props.mappingFailureQueues).map(([subscriptionId, queue]) => {
      const owner = mappingsById.get(subscriptionId);
      const metric = queue.metricApproximateNumberOfMessagesVisible({
        period: fiveMinutes,
        statistic: cloudwatch.Stats.MAXIMUM,
        label: subscriptionId,
      });
      alarm(
        `${pascal(subscriptionId)}Failures`,
        metric,
        1,
        owner
          ? `The ${owner.f.functionId} mapping on ${owner.subscription.topic} (group ${owner.subscription.consumerGroupId}) gave up on records: they are still in the topic until its retention; the queue's messages name their offsets`
          : `The ${subscriptionId} mapping gave up on records; the queue's messages name their offsets`,
      );
      return metric;
    });
    const apiAndRelay: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Order API: 4xx and 5xx',
        width: 8,
        left: [clientErrors, serverErrors],
        right: [props.apiStage.metricCount({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })],
      }),
      new cloudwatch.GraphWidget({
        title: 'Outbox relay: iterator age and failed batches; failure queues of the dead_letter mappings',
        width: 8,
        left: [iteratorAge],
        right: [relayFailures, ...mappingFailures],
      }),
    ];

    if (config.clusterType === 'provisioned') {
      apiAndRelay.push(...this.brokerHealth(props.clusterName, config, alarm));
    }
    widgets.push(apiAndRelay);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      defaultInterval: Duration.hours(3),
      widgets,
    });
  }

  /**
   * Broker health of a provisioned cluster, all from MSK's free DEFAULT monitoring level
   * (https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html): OfflinePartitionsCount
   * ("Total number of partitions that are offline in the cluster", dimension Cluster Name),
   * UnderMinIsrPartitionCount ("The number of under minIsr partitions for the broker": acks=all
   * writes to them fail), ActiveControllerCount ("Only one controller per cluster should be active
   * at any given time"), CpuUser + CpuSystem and KafkaDataLogsDiskUsed per broker. A cluster that
   * is down sends none of them, so missing data is breaching, except for the controller count. This
   * cluster runs in KRaft mode, where "MSK manages the KRaft controllers used in your cluster" and "you
   * don't need to monitor additional CloudWatch metrics" compared with ZooKeeper mode
   * (https://docs.aws.amazon.com/msk/latest/developerguide/kraft-intro.html); in Apache Kafka's KRaft
   * mode only controller nodes expose ActiveControllerCount (KIP-1001), so whether MSK reports it for a
   * KRaft cluster is not documented: the alarm fires on a reported value below 1, never on its absence.
   * MSK Serverless publishes no broker metrics; the per-mapping stall alarms cover it.
   */
  private brokerHealth(
    clusterName: string,
    config: StageConfig,
    alarm: (
      id: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
      periods?: number,
      options?: { missing?: cloudwatch.TreatMissingData; comparison?: cloudwatch.ComparisonOperator },
    ) => cloudwatch.Alarm,
  ): cloudwatch.IWidget[] {
    const oneMinute = Duration.minutes(1);
    const fiveMinutes = Duration.minutes(5);
    const breaching = { missing: cloudwatch.TreatMissingData.BREACHING };
    const kafka = (metricName: string, dimensionsMap: Record<string, string>, period = fiveMinutes) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap,
        statistic: cloudwatch.Stats.MAXIMUM,
        period,
      });
    const cluster = { 'Cluster Name': clusterName };
    const perBroker = (metricName: string, label: string, period = fiveMinutes) =>
      new cloudwatch.MathExpression({
        expression: `MAX([${BROKER_IDS.map((b) => `b${b}`).join(', ')}])`,
        usingMetrics: Object.fromEntries(
          BROKER_IDS.map((b) => [`b${b}`, kafka(metricName, { ...cluster, 'Broker ID': String(b) }, period)]),
        ),
        label,
        period,
      });

    const offline = kafka('OfflinePartitionsCount', cluster, oneMinute);
    alarm(
      'BrokerOfflinePartitions',
      offline,
      1,
      `MSK cluster ${clusterName} has offline partitions (no leader): nothing can be written to or read from them`,
      3,
      breaching,
    );
    const underMinIsr = perBroker('UnderMinIsrPartitionCount', 'under-min-ISR partitions (max per broker)', oneMinute);
    alarm(
      'BrokerUnderMinIsrPartitions',
      underMinIsr,
      1,
      `MSK cluster ${clusterName} has partitions under min.insync.replicas: acks=all writes to them (every producer here) fail until replicas catch up`,
      3,
      breaching,
    );
    const controllers = kafka('ActiveControllerCount', cluster, oneMinute);
    alarm(
      'BrokerNoActiveController',
      controllers,
      1,
      `MSK cluster ${clusterName} reports no active controller: leader elections and topic changes stall`,
      3,
      { comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD },
    );
    const cpu = new cloudwatch.MathExpression({
      expression: `MAX([${BROKER_IDS.map((b) => `u${b} + s${b}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(
        BROKER_IDS.flatMap((b) => [
          [`u${b}`, kafka('CpuUser', { ...cluster, 'Broker ID': String(b) })],
          [`s${b}`, kafka('CpuSystem', { ...cluster, 'Broker ID': String(b) })],
        ]),
      ),
      label: 'busiest broker CPU (user + system, %)',
      period: fiveMinutes,
    });
    alarm(
      'BrokerCpu',
      cpu,
      config.alarms.brokerCpuPercent,
      `An MSK broker of ${clusterName} has used ${config.alarms.brokerCpuPercent}% CPU or more (user + system) for 15 minutes: it has no headroom left for a broker failure`,
      3,
      breaching,
    );
    const disk = perBroker('KafkaDataLogsDiskUsed', 'fullest broker disk (%)');
    alarm(
      'BrokerDiskUsed',
      disk,
      config.alarms.brokerDiskUsedPercent,
      `An MSK broker data volume of ${clusterName} is ${config.alarms.brokerDiskUsedPercent}% full or more`,
      1,
      breaching,
    );
    return [
      new cloudwatch.GraphWidget({
        title: 'MSK partitions: offline, under min ISR; active controllers',
        width: 8,
        left: [offline, underMinIsr],
        right: [controllers],
      }),
      new cloudwatch.GraphWidget({ title: 'MSK brokers: CPU and disk used (%)', width: 8, left: [cpu, disk] }),
    ];
  }
}
