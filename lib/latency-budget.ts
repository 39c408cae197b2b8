import { Duration } from 'aws-cdk-lib';
import type { FunctionId } from '../lambdas/shared/contracts/functions';
import type { Subscription } from '../lambdas/shared/contracts/subscriptions';
import { TOPIC_BY_NAME } from '../lambdas/shared/contracts/topics';
import type { MappingSettings, StageName } from './config';

/**
 * The latency budget: how long each event source mapping may hold a record back to batch it, and
 * why. One place for every mapping's batching; docs/design.md ("Latency and tracing") has the
 * figures and the AWS prices behind it.
 *
 * An order crosses five mappings from POST /orders to its terminal state (the outbox relay,
 * billing, inventory, shipping, the status projector). With a 1 s window each, the windows alone
 * added about 5 s whatever the load. Lambda: "A batching window is the maximum amount of time to
 * gather records before invoking the function"; for Amazon MSK "The default batching window is
 * 500 ms. You can configure MaximumBatchingWindowInSeconds to any value from 0 seconds to 300
 * seconds in increments of seconds. A batching window begins as soon as the first record arrives";
 * for DynamoDB streams "The default batching window is 0 seconds. This means that Lambda sends
 * batches to your function as quickly as possible"
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching).
 * A window of 0 therefore invokes as soon as a poll returns records: more, smaller invocations
 * under load (each billed per request and per GB-second), none extra when idle.
 */
export type DeliveryProfile = 'order-path' | 'batched' | 'archive';

/**
 * Functions an order waits for on its way to a terminal state. Analytics and notifications are off
 * the path (an order is SHIPPED whether or not its email went out), and so is the archive.
 */
export const ORDER_PATH_FUNCTIONS: readonly FunctionId[] = ['billing', 'inventory', 'shipping', 'orderStatus'];

export function deliveryProfileOf(subscription: Subscription): DeliveryProfile {
  if (subscription.functionId === 'archive') return 'archive';
  return ORDER_PATH_FUNCTIONS.includes(subscription.functionId) ? 'order-path' : 'batched';
}

interface Batching {
  readonly maxBatchingWindow: Duration;
  /** Undefined: the stage's batch size. */
  readonly batchSize?: number;
}

/**
 * - order-path: window 0, invoke as soon as records are polled. The batch size stays the stage's:
 *   it only bounds what a backlog delivers at once.
 * - batched (analytics, notifications): the stage's window (1 s) keeps invocations few under load;
 *   a second more before a counter moves or an email leaves costs nobody anything.
 * - archive: one S3 PUT per topic-partition per batch. With 1 s windows that was up to 39 PUT/s
 *   under sustained traffic (about 100 million a month), each object a few KB. A long window and a
 *   large batch write one object per partition per window: at most 39 objects a minute in prod.
 *   The records are already in Kafka for the topic's retention; archiving them later loses nothing.
 */
export const BATCHING: Record<StageName, Record<DeliveryProfile, Batching | 'stage'>> = {
  dev: {
    'order-path': { maxBatchingWindow: Duration.seconds(0) },
    batched: 'stage',
    // Short enough that a local demo or test waits seconds, not minutes, for the archive.
    archive: { maxBatchingWindow: Duration.seconds(20), batchSize: 1_000 },
  },
  prod: {
    'order-path': { maxBatchingWindow: Duration.seconds(0) },
    batched: 'stage',
    archive: { maxBatchingWindow: Duration.seconds(60), batchSize: 2_000 },
  },
};

/**
 * The outbox relay (DynamoDB stream of the outbox table) is the first hop of every order: window 0,
 * as Lambda's default for streams (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html:
 * MaximumBatchingWindowInSeconds "0"). Lambda still polls each shard four times a second, so a
 * burst arrives as one batch.
 */
export const OUTBOX_RELAY_BATCHING = { batchSize: 100, maxBatchingWindow: Duration.seconds(0) } as const;

/**
 * A subscription's batching on top of the stage's mapping settings, and its provisioned pollers
 * capped at its topic's partitions: Lambda reads each partition in order, one batch at a time
 * ("Lambda reads messages sequentially for each Kafka topic partition",
 * https://docs.aws.amazon.com/lambda/latest/dg/with-msk-process.html), so pollers beyond the
 * partition count have nothing to read and only add Event Poller Units to pay for.
 */
export function withLatencyBudget(
  subscription: Subscription,
  stage: StageName,
  settings: MappingSettings,
): MappingSettings {
  const batching = BATCHING[stage][deliveryProfileOf(subscription)];
  const partitions = TOPIC_BY_NAME[subscription.topic].partitions;
  const maximum = Math.min(settings.pollers.maximum, partitions);
  return {
    ...settings,
    ...(batching === 'stage'
      ? {}
      : { maxBatchingWindow: batching.maxBatchingWindow, batchSize: batching.batchSize ?? settings.batchSize }),
    pollers: { minimum: Math.min(settings.pollers.minimum, maximum), maximum },
  };
}
