import type { OrderLine } from '../contracts/events';
import { deriveOrderStatus, isTerminalStatus, type OrderFact, type OrderStatus } from './order-status';

/** One line of an order's history: the event that established a fact, and when it happened. */
export interface HistoryEntry {
  readonly fact: OrderFact | 'placed';
  /** The event's own timestamp (when it happened, not when the projector saw it). */
  readonly at: string;
  readonly event_id: string;
  readonly event_type: string;
  /** When the order service recorded the fact (its own clock); absent on entries written before it was kept. */
  readonly recorded_at?: string;
  /** The W3C trace id the event carried: the key to the order's lines in every function's logs. */
  readonly trace_id?: string;
}

/**
 * Each step's time, in milliseconds: `since_placed_ms` from placement to the moment the order
 * service recorded the fact, `step_ms` from the step before it (on the same clock), so a reader sees
 * where an order spent its time without comparing clocks of different functions.
 */
export interface StepTiming {
  readonly since_placed_ms?: number;
  readonly step_ms?: number;
}

/** An order as the order service stores it. */
export interface Order {
  readonly order_id: string;
  readonly user_id: string;
  readonly items: readonly OrderLine[];
  readonly amount: number;
  readonly currency: string;
  readonly payment_method: string;
  /**
   * The order API's fingerprint of the request that placed it (requestFingerprint), so that a retry
   * under its Idempotency-Key is recognised without today's catalog. Absent on orders placed before.
   */
  readonly request_fingerprint?: string;
  readonly created_at: string;
  /** In arrival order; the view sorts it by time. */
  readonly history: readonly HistoryEntry[];
  /** When each known fact happened. */
  readonly facts: Readonly<Partial<Record<OrderFact, string>>>;
}

export function orderStatus(order: Order): OrderStatus {
  return deriveOrderStatus(Object.keys(order.facts) as OrderFact[]);
}

export interface OrderView extends Omit<Order, 'history' | 'facts'> {
  readonly status: OrderStatus;
  readonly terminal: boolean;
  /** Placement first, then by time; each entry carries the status the order had once that fact was known. */
  readonly history: readonly (HistoryEntry & StepTiming & { readonly status: OrderStatus })[];
}

export function orderView(order: Order): OrderView {
  // Placement stays first whatever the clocks say: each outcome carries its producer's clock,
  // which may run behind the API's. A stable sort keeps arrival order for equal timestamps.
  const rank = (entry: HistoryEntry) => (entry.fact === 'placed' ? Number.NEGATIVE_INFINITY : Date.parse(entry.at));
  const sorted = [...order.history].sort((a, b) => rank(a) - rank(b));
  const seen: OrderFact[] = [];
  const placedAt = Date.parse(order.created_at);
  let previous = placedAt;
  const history = sorted.map((entry) => {
    if (entry.fact !== 'placed') seen.push(entry.fact);
    const recordedAt = entry.fact === 'placed' ? placedAt : Date.parse(entry.recorded_at ?? '');
    const timing: StepTiming = Number.isNaN(recordedAt)
      ? {}
      : { since_placed_ms: recordedAt - placedAt, step_ms: Math.max(0, recordedAt - previous) };
    if (!Number.isNaN(recordedAt)) previous = Math.max(previous, recordedAt);
    return { ...entry, ...timing, status: deriveOrderStatus(seen) };
  });
  const status = orderStatus(order);
  return {
    order_id: order.order_id,
    status,
    terminal: isTerminalStatus(status),
    user_id: order.user_id,
    items: order.items,
    amount: order.amount,
    currency: order.currency,
    payment_method: order.payment_method,
    created_at: order.created_at,
    history,
  };
}
