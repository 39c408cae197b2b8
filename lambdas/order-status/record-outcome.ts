import type { AnyEvent } from '../shared/contracts/events';
import { PoisonRecordError } from '../shared/errors';
import { factOf, type OrderFact } from '../shared/orders/order-status';
import { statusChangeOf } from '../shared/analytics/operations-counters';
import type { OrderFactStore, RecordFactResult, StatusCounter } from './ports';

export type RecordOutcomeResult = { readonly fact: OrderFact } & Exclude<RecordFactResult, { kind: 'unknown-order' }>;

/**
 * Applies one outcome event to the order it concerns. Idempotent on the business fact, not on the
 * Kafka offset: a redelivered batch, or the same outcome re-published under a new offset, finds the
 * fact already recorded and changes nothing. When the fact changed the order's status, the
 * orders-by-status counters take the change in, once per (order, fact): on a duplicate too, since
 * a crash may have come between the fact and its count; the counter's marker tells them apart.
 */
export async function recordOutcome(
  event: AnyEvent,
  store: OrderFactStore,
  counter: StatusCounter,
  recorded: { readonly at: Date; readonly traceId?: string } = { at: new Date() },
): Promise<RecordOutcomeResult> {
  const fact = factOf(event);
  if (fact === undefined) throw new PoisonRecordError(`event_type ${event.event_type} has no order status meaning`);
  const orderId = (event as { order_id: string }).order_id;
  const result = await store.recordFact(orderId, fact, {
    fact,
    at: event.timestamp,
    event_id: event.event_id,
    event_type: event.event_type,
    recorded_at: recorded.at.toISOString(),
    ...(recorded.traceId ? { trace_id: recorded.traceId } : {}),
  });
  // Never a race with order creation: the order item commits before its OrderCreated is relayed,
  // and every outcome follows from that event. An outcome for an unknown order never succeeds.
  if (result.kind === 'unknown-order') throw new PoisonRecordError(`unknown order ${orderId}`);
  const change = statusChangeOf(result.order.history, fact);
  if (change && change.from !== change.to) await counter.countStatusChange(orderId, fact, change);
  return { fact, ...result };
}
