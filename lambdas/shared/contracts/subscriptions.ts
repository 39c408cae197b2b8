import type { FunctionId } from './functions';
import { pascal } from './names';
import { ARCHIVED_TOPICS, TOPICS, type TopicName } from './topics';

/**
 * Every Kafka event source mapping of the system: which function reads which topic, under which
 * consumer group, with which filter. The CDK app turns each entry into a ManagedKafkaEventSource;
 * the local runner reads the same settings back from the synthesized template.
 *
 * Filters are Lambda event filtering patterns on the record value (Lambda filters Kafka records on
 * `value` only), so a record that does not match never reaches the function.
 */
export interface Subscription {
  /** Unique id, also the mapping's construct id. */
  readonly id: string;
  /** The function (see FUNCTIONS) the mapping invokes. */
  readonly functionId: FunctionId;
  readonly topic: TopicName;
  /** Fixed consumer group id: a new deployment resumes from the committed offsets. */
  readonly consumerGroupId: string;
  readonly filter?: Record<string, unknown>;
}

const paidOnly = { payment_status: ['paid'] };

export const SUBSCRIPTIONS: readonly Subscription[] = [
  { id: 'BillingOrders', functionId: 'billing', topic: TOPICS.orders.name, consumerGroupId: 'billing.orders' },
  {
    id: 'BillingCancellations',
    functionId: 'billing',
    topic: TOPICS.inventoryOutcome.name,
    consumerGroupId: 'billing.inventory_outcome',
    filter: { event_type: ['OrderCancelled'] },
  },
  {
    id: 'InventoryPaidOrders',
    functionId: 'inventory',
    topic: TOPICS.billingOutcome.name,
    consumerGroupId: 'inventory.billing_outcome',
    filter: paidOnly,
  },
  {
    id: 'ShippingPaidOrders',
    functionId: 'shipping',
    topic: TOPICS.billingOutcome.name,
    consumerGroupId: 'shipping.billing_outcome',
    filter: paidOnly,
  },
  {
    id: 'ShippingStock',
    functionId: 'shipping',
    topic: TOPICS.inventoryOutcome.name,
    consumerGroupId: 'shipping.inventory_outcome',
  },
  ...[TOPICS.billingOutcome.name, TOPICS.inventoryOutcome.name, TOPICS.shipping.name].map((topic): Subscription => ({
    id: `OrderStatus${pascal(topic)}`,
    functionId: 'orderStatus',
    topic,
    consumerGroupId: `order-status.${topic}`,
  })),
  { id: 'AnalyticsClicks', functionId: 'analytics', topic: TOPICS.clicks.name, consumerGroupId: 'analytics.clicks' },
  {
    id: 'AnalyticsPaidOrders',
    functionId: 'analytics',
    topic: TOPICS.billingOutcome.name,
    consumerGroupId: 'analytics.billing_outcome',
    filter: paidOnly,
  },
  {
    id: 'AnalyticsDeadLetters',
    functionId: 'analytics',
    topic: TOPICS.deadLetter.name,
    consumerGroupId: 'analytics.dead_letter',
  },
  {
    id: 'NotificationsBilling',
    functionId: 'notifications',
    topic: TOPICS.billingOutcome.name,
    consumerGroupId: 'notifications.billing_outcome',
  },
  {
    id: 'NotificationsCancellations',
    functionId: 'notifications',
    topic: TOPICS.inventoryOutcome.name,
    consumerGroupId: 'notifications.inventory_outcome',
    filter: { event_type: ['OrderCancelled'] },
  },
  {
    id: 'NotificationsDispatches',
    functionId: 'notifications',
    topic: TOPICS.shipping.name,
    consumerGroupId: 'notifications.shipping',
    filter: { event_type: ['ShipmentDispatched'] },
  },
  ...ARCHIVED_TOPICS.map((topic): Subscription => ({
    id: `Archive${pascal(topic)}`,
    functionId: 'archive',
    topic,
    consumerGroupId: `archive.${topic}`,
  })),
];

/** Topics a function writes to (besides the dead-letter topic, which every Kafka consumer may write). */
export const PUBLISHES: Record<FunctionId, readonly TopicName[]> = {
  orderApi: [],
  outboxRelay: [TOPICS.orders.name],
  // The outbox holds the order API's OrderCreated events only.
  outboxSweeper: [TOPICS.orders.name],
  orderStatus: [],
  billing: [TOPICS.billingOutcome.name],
  inventory: [TOPICS.inventory.name, TOPICS.inventoryOutcome.name],
  restock: [TOPICS.inventory.name],
  shipping: [TOPICS.shipping.name],
  archive: [],
  clickApi: [TOPICS.clicks.name],
  analytics: [],
  analyticsApi: [],
  notifications: [],
};
