import type { AwsServiceId } from '../lambdas/shared/contracts/aws-services';
import type { FunctionId } from '../lambdas/shared/contracts/functions';
import { PUBLISHES, SUBSCRIPTIONS, type Subscription } from '../lambdas/shared/contracts/subscriptions';
import type { TableId } from '../lambdas/shared/contracts/tables';
import { TOPICS, type TopicName } from '../lambdas/shared/contracts/topics';
import type { MappingSettings } from './config';

/**
 * Which function may touch which table, and how. Each service owns its tables; no function
 * reads another service's table (inventory and shipping learn what they need from events).
 */
export type TableAccess = 'R' | 'RW' | 'PUT' | 'MARK' | 'SWEEP' | 'WRITE' | 'LIST';

/**
 * The DynamoDB actions of the narrow access kinds: PUT writes items, MARK updates them, SWEEP also
 * queries the sparse index, WRITE puts and updates items (a marker and a counter, a claim and its
 * sent record), LIST queries the sparse index only. Narrow kinds name the table, and for Query the
 * one index, never `index/*`.
 */
export const TABLE_ACTIONS: Record<'PUT' | 'MARK' | 'SWEEP' | 'WRITE' | 'LIST', readonly string[]> = {
  PUT: ['dynamodb:PutItem'],
  MARK: ['dynamodb:UpdateItem'],
  SWEEP: ['dynamodb:Query', 'dynamodb:UpdateItem'],
  WRITE: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  LIST: ['dynamodb:Query'],
};
export const TABLE_ACCESS: Record<FunctionId, Partial<Record<TableId, TableAccess>>> = {
  // The outbox only in its TransactWriteItems (a Put), so its grant need not cover the sparse index.
  // The analytics table only in that same transaction: an Update of the PLACED counter's shard.
  orderApi: { orders: 'RW', outbox: 'PUT', catalog: 'R', analytics: 'MARK' },
  // Reads the outbox table's stream (that grant comes with the event source) and marks what it published.
  outboxRelay: { outbox: 'MARK' },
  // Finds the unmarked entries through the sparse index, publishes and marks them.
  outboxSweeper: { outbox: 'SWEEP' },
  // The orders-by-status counters: a marker Put and a counter Update, in one transaction.
  orderStatus: { orders: 'RW', analytics: 'WRITE' },
  // Every Kafka consumer adds its invocations' per-hop timings to the analytics table: one Update
  // of a minute shard per invocation (lambdas/shared/analytics/hop-timings.ts).
  billing: { payments: 'RW', analytics: 'MARK' },
  inventory: { stock: 'RW', reservations: 'RW', analytics: 'MARK' },
  restock: { stock: 'RW' },
  shipping: { shipments: 'RW', analytics: 'MARK' },
  archive: {},
  clickApi: {},
  analytics: { analytics: 'RW' },
  // The summary reads counters (analytics) and the sent emails' index: the one cross-service read
  // besides notifications' (docs/design.md, "Reading").
  analyticsApi: { analytics: 'R', notifications: 'LIST' },
  // Reads the order for its user and lines: the outcome events carry the order_id only. Claims
  // (Update) and completes (Put) its records, counting the emails sent with an Update of a
  // counter's shard (analytics) in the completion's transaction.
  notifications: { notifications: 'WRITE', orders: 'R', analytics: 'MARK' },
};

/** The logical id of a subscription's event source mapping: `BillingOrdersMapping`. */
export function mappingLogicalId(subscription: Subscription): string {
  return `${subscription.id}Mapping`;
}

export function subscriptionsOf(functionId: FunctionId): Subscription[] {
  return SUBSCRIPTIONS.filter((s) => s.functionId === functionId);
}

/** Consumers dead-letter poison records themselves, so they write the dead-letter topic too. */
export function topicsWrittenBy(functionId: FunctionId): TopicName[] {
  const own = PUBLISHES[functionId];
  const consumer = subscriptionsOf(functionId).length > 0;
  return [...new Set<TopicName>([...own, ...(consumer ? [TOPICS.deadLetter.name] : [])])];
}

export function usesKafka(functionId: FunctionId): boolean {
  return subscriptionsOf(functionId).length > 0 || topicsWrittenBy(functionId).length > 0;
}

/**
 * Where Lambda puts a record it gave up on (retries exhausted or older than maxRecordAge).
 *
 * The dead-letter topic, through the Kafka on-failure destination: Lambda writes the failed
 * record itself, with its original key, value and headers plus the failure metadata, so the topic
 * carries both kinds of dead letter, the functions' own DeadLetter events (poison records, with
 * the reason) and Lambda's (records that kept failing), and one consumer (the archive) keeps them
 * all. S3 would also hold the content, but outside Kafka; SQS and SNS get metadata only (the
 * offsets), which breaks I5 once the topic's retention has passed.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html
 *
 * Lambda rejects a Kafka destination equal to the source topic (recursion prevention), so the
 * mapping that reads the dead-letter topic itself (the archive's) needs another destination, and
 * one that does not share the failure: not the archive bucket its function has just failed to
 * write. An SQS queue of its own, with its own alarm: it gets the offsets only, and the records
 * stay in the dead-letter topic for its retention, from where they are re-driven.
 */
export type FailureDestination = { readonly kind: 'kafka'; readonly topic: TopicName } | { readonly kind: 'sqs-queue' };

export function failureDestinationFor(subscription: Subscription): FailureDestination {
  return subscription.topic === TOPICS.deadLetter.name
    ? { kind: 'sqs-queue' }
    : { kind: 'kafka', topic: TOPICS.deadLetter.name };
}

/** The AWS service Lambda delivers to for a destination, which then needs a route from the cluster's VPC. */
export function failureDestinationService(destination: FailureDestination): AwsServiceId | undefined {
  return destination.kind === 'sqs-queue' ? 'sqs' : undefined;
}

/**
 * The mapping settings of a subscription: the stage's, except for the archive, which retries whole
 * batches only. Its objects are named by first and last offset and read de-duplicated by offset, so
 * a bisected half would only add an overlapping object; whole batches keep the objects few and large
 * (docs/design.md, "Archive").
 */
export function mappingSettingsFor(subscription: Subscription, stage: MappingSettings): MappingSettings {
  return subscription.functionId === 'archive'
    ? { ...stage, bisectBatchOnError: false, reportBatchItemFailures: false }
    : stage;
}

/**
 * KAFKA_PARTIAL_BATCH_RESPONSE of a function: the handler returns failed records only when its
 * mappings report batch item failures; with the setting off Lambda would read a returned list
 * as success and lose the records. One handler serves all of a function's mappings, so they must
 * agree.
 */
export function partialBatchResponseFor(
  functionId: FunctionId,
  settingsOf: (subscription: Subscription) => MappingSettings,
): boolean | undefined {
  const subscriptions = subscriptionsOf(functionId);
  if (subscriptions.length === 0) return undefined;
  const values = new Set(subscriptions.map((s) => settingsOf(s).reportBatchItemFailures));
  if (values.size > 1) {
    throw new Error(
      `The mappings of ${functionId} (${subscriptions.map((s) => s.id).join(', ')}) disagree on reportBatchItemFailures; one handler cannot both return and throw its failures`,
    );
  }
  return [...values][0];
}
