import type { OrderLine, ShipmentCancelled, ShipmentCreated, ShipmentDispatched } from '../shared/contracts/events';
import { deterministicId } from '../shared/ids';

/**
 * The shipment of one order, kept as a set of facts that commute, so every interleaving and
 * redelivery gives the same shipment; cancellation wins (docs/design.md, "Shipment").
 */
export type ShipmentFactName = 'paid' | 'reserved' | 'cancelled';

export type ShipmentFact =
  | { readonly name: 'paid'; readonly at: string; readonly items: readonly OrderLine[] }
  | { readonly name: 'reserved'; readonly at: string }
  | { readonly name: 'cancelled'; readonly at: string };

/** The facts known about one order's shipment: `<fact>At` is when the fact first happened (ISO-8601, UTC). */
export interface ShipmentFacts {
  readonly orderId: string;
  readonly shipmentId: string;
  readonly paidAt?: string;
  readonly reservedAt?: string;
  readonly cancelledAt?: string;
  /** The order's lines, from the paid BillingOutcome. */
  readonly items?: readonly OrderLine[];
}

/**
 * PENDING: not paid yet (stock may already be reserved); CREATED: paid, waiting for stock;
 * DISPATCHED: paid and reserved; CANCELLED: the order was cancelled (cancellation wins, see above).
 */
export type ShipmentStatus = 'PENDING' | 'CREATED' | 'DISPATCHED' | 'CANCELLED';

export type ShipmentEvent = ShipmentCreated | ShipmentDispatched | ShipmentCancelled;

export function shipmentIdFor(orderId: string): string {
  return deterministicId('shipment', orderId);
}

export function shipmentStatus(facts: ShipmentFacts): ShipmentStatus {
  if (facts.cancelledAt) return 'CANCELLED';
  if (!facts.paidAt) return 'PENDING';
  return facts.reservedAt ? 'DISPATCHED' : 'CREATED';
}

/**
 * Each event is implied by a condition on the facts, and "takes in" the facts of that condition.
 * The conditions are monotone (a fact once true stays true) except Dispatched's "not cancelled",
 * which only the reserved-and-cancelled contradiction can flip: that is why, under the assumption
 * above, the set of events ever emitted depends on the facts only, not on their arrival order.
 */
const RULES: readonly {
  readonly type: ShipmentEvent['event_type'];
  readonly takesIn: readonly ShipmentFactName[];
  readonly holds: (facts: ShipmentFacts) => boolean;
  /** When the event happened: when the last fact of its condition happened, so re-emission is byte-identical. */
  readonly at: (facts: ShipmentFacts) => string;
}[] = [
  {
    type: 'ShipmentCreated',
    takesIn: ['paid'],
    holds: (f) => f.paidAt !== undefined,
    at: (f) => f.paidAt!,
  },
  {
    // I3: never dispatched without payment AND reserved stock.
    type: 'ShipmentDispatched',
    takesIn: ['paid', 'reserved'],
    holds: (f) => f.paidAt !== undefined && f.reservedAt !== undefined && f.cancelledAt === undefined,
    at: (f) => latest(f.paidAt!, f.reservedAt!),
  },
  {
    // A shipment exists once the order is paid; a cancellation seen before the payment waits for it.
    type: 'ShipmentCancelled',
    takesIn: ['paid', 'cancelled'],
    holds: (f) => f.paidAt !== undefined && f.cancelledAt !== undefined,
    at: (f) => latest(f.paidAt!, f.cancelledAt!),
  },
];

/**
 * The events to publish after `applied` was recorded and the store answered with `facts`: those
 * implied by the new facts whose condition `applied` takes part in, in lifecycle order. Applying
 * the same fact again (a redelivery, perhaps after a crash before the publish) yields the same
 * events with the same event ids and bytes, which is what makes re-emission safe.
 */
export function eventsImpliedBy(facts: ShipmentFacts, applied: ShipmentFactName): ShipmentEvent[] {
  return RULES.filter((rule) => rule.takesIn.includes(applied) && rule.holds(facts)).map((rule) =>
    shipmentEvent(rule.type, rule.at(facts), facts),
  );
}

/** Every event the facts imply, whichever fact came last (used to reason about and test the whole history). */
export function allEventsImpliedBy(facts: ShipmentFacts): ShipmentEvent[] {
  return RULES.filter((rule) => rule.holds(facts)).map((rule) => shipmentEvent(rule.type, rule.at(facts), facts));
}

export function shipmentEventId(type: ShipmentEvent['event_type'], orderId: string): string {
  return deterministicId('shipping', type, orderId);
}

function shipmentEvent(type: ShipmentEvent['event_type'], at: string, facts: ShipmentFacts): ShipmentEvent {
  const base = {
    event_type: type,
    event_id: shipmentEventId(type, facts.orderId),
    timestamp: at,
    order_id: facts.orderId,
    shipment_id: facts.shipmentId,
  };
  return type === 'ShipmentCancelled' ? base : { ...base, items: facts.items };
}

function latest(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
