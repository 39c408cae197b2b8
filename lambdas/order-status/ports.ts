/** What the status projector talks to: the orders table. */
import type { StatusChange } from '../shared/analytics/operations-counters';
import type { HistoryEntry, Order } from '../shared/orders/order';
import type { OrderFact } from '../shared/orders/order-status';

export type RecordFactResult =
  | { readonly kind: 'recorded'; readonly order: Order }
  | { readonly kind: 'duplicate'; readonly order: Order }
  | { readonly kind: 'unknown-order' };

/** `duplicate`: the change was counted before, by an earlier delivery of the same fact. */
export type CountStatusChangeResult = { readonly kind: 'counted' | 'duplicate' };

export interface OrderFactStore {
  /**
   * Records a fact and its history entry on the order, unless the fact is already known (then it
   * changes nothing) or the order does not exist.
   */
  recordFact(orderId: string, fact: OrderFact, entry: HistoryEntry): Promise<RecordFactResult>;
}

/**
 * The dashboard's orders-by-status counters. A change counts once per (order, fact), however often
 * it is handed in: a redelivery finds it counted (`duplicate`) and moves nothing.
 */
export interface StatusCounter {
  countStatusChange(orderId: string, fact: OrderFact, change: StatusChange): Promise<CountStatusChangeResult>;
}
