import {
  BillingOutcomeSchema,
  OrderCancelledSchema,
  OrderCreatedSchema,
  ShipmentCancelledSchema,
  ShipmentCreatedSchema,
  ShipmentDispatchedSchema,
  StockReservedSchema,
  type AnyEvent,
  type OrderCreated,
  type OrderLine,
  type PaymentStatus,
} from '../../lambdas/shared/contracts/events';
import { deterministicId } from '../../lambdas/shared/ids';
import { ORDER_STATUSES, type OrderStatus } from '../../lambdas/shared/orders/order-status';

/**
 * Events for tests. OrderCreated as the order API writes it; outcome events for one order, built as their producers build them (deterministic event ids) and
 * parsed with the contract schemas, so that a test can never run on an event no producer could send.
 */
export const ITEMS: OrderLine[] = [
  { product_id: 'abc', quantity: 2, unit_price: 49.5 },
  { product_id: 'def', quantity: 1, unit_price: 12 },
];

/**
 * A valid OrderCreated (parsed with the contract's schema): one line of abc for 49.50 USD by card,
 * with the fields given; its event_id follows its order_id unless given.
 */
export function orderCreated(overrides: Partial<OrderCreated> = {}): OrderCreated {
  return OrderCreatedSchema.parse(orderCreatedFields(overrides));
}

/** The same fields, not validated: for what a consumer or a schema does with an invalid OrderCreated. */
export function orderCreatedFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const orderId = (overrides.order_id as string | undefined) ?? 'o-1';
  return {
    event_type: 'OrderCreated',
    event_id: `evt-${orderId}`,
    order_id: orderId,
    user_id: 'u-1',
    items: [{ product_id: 'abc', quantity: 1, unit_price: 49.5 }],
    amount: 49.5,
    currency: 'USD',
    payment_method: 'credit_card',
    timestamp: '2025-04-07T12:34:56Z',
    ...overrides,
  };
}

const at = (second: number) => new Date(Date.UTC(2025, 3, 7, 12, 35, second)).toISOString();

export function billingOutcome(orderId: string, status: PaymentStatus, second: number): AnyEvent {
  return BillingOutcomeSchema.parse({
    event_type: 'BillingOutcome',
    event_id: deterministicId('billing', status, orderId),
    order_id: orderId,
    payment_status: status,
    transaction_id: `txn_${deterministicId('txn', orderId)}`,
    amount: 111,
    currency: 'USD',
    ...(status === 'paid' ? { items: ITEMS } : {}),
    ...(status === 'declined' ? { reason: 'card_declined' } : {}),
    timestamp: at(second),
  });
}

export function stockReserved(orderId: string, second: number): AnyEvent {
  return StockReservedSchema.parse({
    event_type: 'StockReserved',
    event_id: deterministicId('inventory', 'reserved', orderId),
    order_id: orderId,
    items: ITEMS,
    timestamp: at(second),
  });
}

export function orderCancelled(orderId: string, second: number): AnyEvent {
  return OrderCancelledSchema.parse({
    event_type: 'OrderCancelled',
    event_id: deterministicId('inventory', 'cancelled', orderId),
    order_id: orderId,
    reason: 'out_of_stock',
    timestamp: at(second),
  });
}

const SHIPMENT_SCHEMAS = {
  ShipmentCreated: ShipmentCreatedSchema,
  ShipmentDispatched: ShipmentDispatchedSchema,
  ShipmentCancelled: ShipmentCancelledSchema,
};

export function shipmentEvent(orderId: string, type: keyof typeof SHIPMENT_SCHEMAS, second: number): AnyEvent {
  return SHIPMENT_SCHEMAS[type].parse({
    event_type: type,
    event_id: deterministicId('shipping', type, orderId),
    order_id: orderId,
    shipment_id: deterministicId('shipment', orderId),
    timestamp: at(second),
  });
}

/** Every valid way an order's outcome events can be produced, in the order the flow produces them. */
export function validFlows(orderId: string): Record<'shipped' | 'declined' | 'refunded', AnyEvent[]> {
  return {
    shipped: [
      billingOutcome(orderId, 'paid', 1),
      shipmentEvent(orderId, 'ShipmentCreated', 2),
      stockReserved(orderId, 3),
      shipmentEvent(orderId, 'ShipmentDispatched', 4),
    ],
    declined: [billingOutcome(orderId, 'declined', 1)],
    refunded: [
      billingOutcome(orderId, 'paid', 1),
      shipmentEvent(orderId, 'ShipmentCreated', 2),
      orderCancelled(orderId, 3),
      shipmentEvent(orderId, 'ShipmentCancelled', 4),
      billingOutcome(orderId, 'refunded', 5),
    ],
  };
}

/** Orders per status as the counters report them: every status, 0 unless given. */
export function statusCounts(counts: Partial<Record<OrderStatus, number>>): Record<OrderStatus, number> {
  return Object.fromEntries(ORDER_STATUSES.map((status) => [status, counts[status] ?? 0])) as Record<
    OrderStatus,
    number
  >;
}

/** What a restock publishes, as a test expects it: a StockChanged on `inventory` keyed by its product. */
export function publishedStockChange(productId: string, quantityChange: number, fields: Record<string, unknown> = {}) {
  return {
    topic: 'inventory',
    key: productId,
    event: expect.objectContaining({
      event_type: 'StockChanged',
      product_id: productId,
      quantity_change: quantityChange,
      ...fields,
    }),
  };
}
