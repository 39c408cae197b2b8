import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { FunctionId } from '../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS, type Subscription } from '../lambdas/shared/contracts/subscriptions';
import type { TopicName } from '../lambdas/shared/contracts/topics';
import { type MappingSettings, resourcePrefix, type StageConfig } from './config';
import { withLatencyBudget } from './latency-budget';
import { type FailureDestination, failureDestinationFor, mappingLogicalId, mappingSettingsFor } from './wiring';

/** One Kafka event source mapping as the stage deploys it: a subscription and how it is polled. */
export interface KafkaMappingDeclaration {
  readonly subscription: Subscription;
  /** The CfnEventSourceMapping's logical id (`BillingOrdersMapping`): the local runner names mappings by it. */
  readonly logicalId: string;
  readonly settings: MappingSettings;
  readonly failureDestination: FailureDestination;
}

/** The settings of a subscription's mapping in a stage: the stage's, the archive's exception, the latency budget. */
export function mappingSettingsOf(subscription: Subscription, config: StageConfig): MappingSettings {
  return withLatencyBudget(subscription, config.stage, mappingSettingsFor(subscription, config.mappings));
}

/** Every Kafka mapping of a stage, one per entry of SUBSCRIPTIONS, in its order. */
export function declareKafkaMappings(config: StageConfig): readonly KafkaMappingDeclaration[] {
  return SUBSCRIPTIONS.map((subscription) => ({
    subscription,
    logicalId: mappingLogicalId(subscription),
    settings: mappingSettingsOf(subscription, config),
    failureDestination: failureDestinationFor(subscription),
  }));
}

export interface KafkaMappingsProps {
  readonly config: StageConfig;
  readonly declarations: readonly KafkaMappingDeclaration[];
  readonly functions: Record<FunctionId, lambda.Function>;
  readonly clusterArn: string;
  /** The resource that creates each topic (streaming stack): a mapping waits for its topic. */
  readonly topics: Record<TopicName, IConstruct>;
  /** On-failure destinations of the mappings that fail into a queue, by subscription id. */
  readonly failureQueues: Record<string, sqs.IQueue>;
}

/**
 * Creates the declared mappings, each on its function, and returns them by subscription id. Each
 * function with mappings first gets the poller's permissions: "The AWSLambdaMSKExecutionRole
 * managed policy contains the minimum required permissions for Amazon MSK Lambda event source
 * mappings" (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html), plus the
 * statement on the cluster that CDK's ManagedKafkaEventSource also adds.
 */
export function addKafkaMappings(props: KafkaMappingsProps): Record<string, lambda.EventSourceMapping> {
  const mappings: Record<string, lambda.EventSourceMapping> = {};
  const granted = new Set<FunctionId>();
  for (const declaration of props.declarations) {
    const { functionId } = declaration.subscription;
    const fn = props.functions[functionId];
    if (!granted.has(functionId)) {
      grantPoller(fn, props.clusterArn);
      granted.add(functionId);
    }
    mappings[declaration.subscription.id] = addKafkaMapping(fn, declaration, props);
  }
  return mappings;
}

function addKafkaMapping(
  fn: lambda.Function,
  { subscription, logicalId, settings, failureDestination }: KafkaMappingDeclaration,
  props: KafkaMappingsProps,
): lambda.EventSourceMapping {
  const mapping = fn.addEventSourceMapping(logicalId, {
    eventSourceArn: props.clusterArn,
    kafkaTopic: subscription.topic,
    kafkaConsumerGroupId: subscription.consumerGroupId,
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
      pollerGroupName: resourcePrefix(props.config.stage),
    },
    // Lambda filters Kafka records on their value only.
    filters: subscription.filter ? [lambda.FilterCriteria.filter({ value: subscription.filter })] : undefined,
    onFailure:
      failureDestination.kind === 'kafka'
        ? new sources.KafkaDlq(failureDestination.topic)
        : new sources.SqsDlq(requireQueue(props.failureQueues, subscription.id)),
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
  (mapping.node.defaultChild as lambda.CfnEventSourceMapping).overrideLogicalId(logicalId);
  // The mapping names its topic as a plain string, so nothing tells CloudFormation to create the
  // topic first. The topic lives in the streaming stack: this makes the services stack wait for it.
  mapping.node.addDependency(props.topics[subscription.topic]);
  return mapping;
}

function grantPoller(fn: lambda.Function, clusterArn: string): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kafka:DescribeCluster', 'kafka:GetBootstrapBrokers', 'kafka:ListScramSecrets'],
      resources: [clusterArn],
    }),
  );
  fn.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaMSKExecutionRole'));
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
    reason:
      'The policy Lambda documents for MSK event pollers (kafka:DescribeClusterV2, GetBootstrapBrokers and the ENI actions, which take no resource ARN). Data-plane access (kafka-cluster:*) is granted per topic and group separately.',
  });
}

function requireQueue(queues: Record<string, sqs.IQueue>, subscriptionId: string): sqs.IQueue {
  const queue = queues[subscriptionId];
  if (!queue) throw new Error(`No on-failure queue for ${subscriptionId} in the data stack`);
  return queue;
}
