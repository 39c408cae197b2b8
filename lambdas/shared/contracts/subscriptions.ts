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

export const FUNCTIONS = {
  orderApi: {
    service: 'orders',
    entry: 'lambdas/orders/api-handler.ts',
    description: 'HTTP API: POST /orders, GET /orders/{order_id}',
  },
  outboxRelay: {
    service: 'orders',
    entry: 'lambdas/orders/outbox-relay-handler.ts',
    description: 'Publishes the outbox table stream to Kafka',
  },
  orderStatus: {
    service: 'orders',
    entry: 'lambdas/orders/status-handler.ts',
    description: 'Projects the order status from the outcome topics',
  },
  billing: {
    service: 'billing',
    entry: 'lambdas/billing/handler.ts',
    description: 'Charges new orders, refunds cancelled ones',
  },
  inventory: {
    service: 'inventory',
    entry: 'lambdas/inventory/handler.ts',
    description: 'Reserves stock for paid orders, or cancels them',
  },
  restock: {
    service: 'inventory',
    entry: 'lambdas/inventory/restock-handler.ts',
    description: 'Adds stock to a product (direct invoke)',
  },
  shipping: {
    service: 'shipping',
    entry: 'lambdas/shipping/handler.ts',
    description: 'Creates, dispatches and cancels shipments',
  },
  archive: {
    service: 'archive',
    entry: 'lambdas/archive/handler.ts',
    description: 'Writes every record of every business topic to S3',
  },
} as const;

export type FunctionId = keyof typeof FUNCTIONS;

/** The tag the CDK app puts on every function: its id in FUNCTIONS, so tools can find it in a template. */
export const FUNCTION_ID_TAG = 'order-pipeline:function-id';

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
  ...ARCHIVED_TOPICS.map((topic): Subscription => ({
    id: `Archive${pascal(topic)}`,
    functionId: 'archive',
    topic,
    consumerGroupId: `archive.${topic}`,
  })),
];

function pascal(name: string): string {
  return name.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

/** Topics a function writes to (besides the dead-letter topic, which every Kafka consumer may write). */
export const PUBLISHES: Record<FunctionId, readonly TopicName[]> = {
  orderApi: [],
  outboxRelay: [TOPICS.orders.name],
  orderStatus: [],
  billing: [TOPICS.billingOutcome.name],
  inventory: [TOPICS.inventory.name, TOPICS.inventoryOutcome.name],
  restock: [TOPICS.inventory.name],
  shipping: [TOPICS.shipping.name],
  archive: [],
};
