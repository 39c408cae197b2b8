/**
 * The one definition of the Kafka topics: names, record keys and partition counts.
 * Imported by the handlers, the CDK app (topics as code), the local runtime and the tests.
 */
export const TOPICS = {
  orders: { name: 'orders', key: 'order_id', partitions: 6, owner: 'orders' },
  billingOutcome: { name: 'billing_outcome', key: 'order_id', partitions: 6, owner: 'billing' },
  inventory: { name: 'inventory', key: 'product_id', partitions: 6, owner: 'inventory' },
  inventoryOutcome: { name: 'inventory_outcome', key: 'order_id', partitions: 6, owner: 'inventory' },
  shipping: { name: 'shipping', key: 'order_id', partitions: 6, owner: 'shipping' },
  clicks: { name: 'clicks', key: 'user_id', partitions: 6, owner: 'webshop' },
  /** Records no consumer can ever process (bad JSON, schema violation, unknown type), with the reason. */
  deadLetter: { name: 'dead_letter', key: 'source record key', partitions: 3, owner: 'every consumer' },
} as const;

export type TopicId = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicId]['name'];

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
