/**
 * The one definition of the Kafka topics: names, record keys and partition counts.
 * Imported by the handlers, the CDK app (topics as code), the local runtime and the tests.
 * `key` names the event field whose value is the record key (recordKey in events.ts), so that all
 * events of one order (or product, or user) land in one partition, in order.
 */
export const TOPICS = {
  orders: { name: 'orders', key: 'order_id', partitions: 6 },
  billingOutcome: { name: 'billing_outcome', key: 'order_id', partitions: 6 },
  inventory: { name: 'inventory', key: 'product_id', partitions: 6 },
  inventoryOutcome: { name: 'inventory_outcome', key: 'order_id', partitions: 6 },
  shipping: { name: 'shipping', key: 'order_id', partitions: 6 },
  clicks: { name: 'clicks', key: 'user_id', partitions: 6 },
  /**
   * Records no consumer can ever process (bad JSON, schema violation, unknown type), with the reason.
   * Keyed like Lambda's own on-failure records: by the source record's key.
   */
  deadLetter: { name: 'dead_letter', key: 'source.key', partitions: 3 },
} as const;

export type TopicId = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicId]['name'];

export const TOPIC_BY_NAME = Object.fromEntries(Object.values(TOPICS).map((t) => [t.name, t])) as Record<
  TopicName,
  (typeof TOPICS)[TopicId]
>;

/** Topics whose records the archive keeps in S3 (every business topic, and the dead letters). */
export const ARCHIVED_TOPICS: readonly TopicName[] = [
  TOPICS.orders.name,
  TOPICS.billingOutcome.name,
  TOPICS.inventory.name,
  TOPICS.inventoryOutcome.name,
  TOPICS.shipping.name,
  TOPICS.deadLetter.name,
];

/** Retention of every topic: 7 days, long enough to replay a week of events into a new consumer. */
export const TOPIC_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Replication of every topic wherever there are three brokers (each MSK stage, `npm run local --
 * --brokers 3`): three replicas, one per AZ, and an acks=all write needs two of them in sync, so
 * one broker can die without refusing a write or losing an acknowledged one.
 */
export const REPLICATION_FACTOR = 3;
export const MIN_INSYNC_REPLICAS = 2;
