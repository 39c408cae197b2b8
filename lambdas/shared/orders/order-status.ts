import type { AnyEvent, PaymentStatus } from '../contracts/events';

/**
 * What the order service has learnt about an order from the outcome topics. Each fact is recorded
 * at most once per order (a `<fact>_at` timestamp on the order item), whatever the number of
 * deliveries of the event that carries it.
 */
export const ORDER_FACTS = [
  'paid',
  'payment_declined',
  'refunded',
  'reserved',
  'cancelled',
  'shipped',
  'shipment_created',
  'shipment_cancelled',
] as const;
export type OrderFact = (typeof ORDER_FACTS)[number];

export const ORDER_STATUSES = [
  'PLACED',
  'PAID',
  'RESERVED',
  'SHIPPED',
  'PAYMENT_DECLINED',
  'CANCELLED',
  'REFUNDED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Every accepted order ends in exactly one of these (invariant I4). */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['SHIPPED', 'PAYMENT_DECLINED', 'REFUNDED'];

export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * The status is derived from the set of facts, never from their arrival order: the first status in
 * this list whose fact is known wins (docs/design.md, "Order status").
 */
const STATUS_PRECEDENCE: readonly (readonly [OrderStatus, OrderFact])[] = [
  ['REFUNDED', 'refunded'],
  ['PAYMENT_DECLINED', 'payment_declined'],
  ['CANCELLED', 'cancelled'],
  ['SHIPPED', 'shipped'],
  ['RESERVED', 'reserved'],
  ['PAID', 'paid'],
];

export function deriveOrderStatus(facts: Iterable<OrderFact>): OrderStatus {
  const known = new Set(facts);
  return STATUS_PRECEDENCE.find(([, fact]) => known.has(fact))?.[0] ?? 'PLACED';
}

/** The fact that decides `status` (undefined for PLACED, which no fact decides). */
export function factOfStatus(status: OrderStatus): OrderFact | undefined {
  return STATUS_PRECEDENCE.find(([candidate]) => candidate === status)?.[1];
}

/** The attribute of a stored order that holds when a fact happened (ISO-8601); absent until it did. */
export function factAttribute(fact: OrderFact): `${OrderFact}_at` {
  return `${fact}_at`;
}

/**
 * The status of an order item as stored in the orders table: for readers that scan the table
 * directly, such as the local runtime's summary and the end-to-end checks of I4.
 */
export function statusOfStoredOrder(item: Readonly<Record<string, unknown>>): OrderStatus {
  return deriveOrderStatus(ORDER_FACTS.filter((fact) => typeof item[factAttribute(fact)] === 'string'));
}

const PAYMENT_FACTS: Record<PaymentStatus, OrderFact> = {
  paid: 'paid',
  declined: 'payment_declined',
  refunded: 'refunded',
};

/** The fact an event establishes, or undefined for an event that says nothing about an order's status. */
export function factOf(event: AnyEvent): OrderFact | undefined {
  switch (event.event_type) {
    case 'BillingOutcome':
      return PAYMENT_FACTS[event.payment_status];
    case 'StockReserved':
      return 'reserved';
    case 'OrderCancelled':
      return 'cancelled';
    case 'ShipmentCreated':
      return 'shipment_created';
    case 'ShipmentDispatched':
      return 'shipped';
    case 'ShipmentCancelled':
      return 'shipment_cancelled';
    default:
      return undefined;
  }
}
