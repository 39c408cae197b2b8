import type { OrderItem } from '../shared/contracts/events';
import { reservationEvents, stockLines, type Reservation } from './reservation';
import type { EventPublisher, StockStore } from './ports';

export interface ReserveDependencies {
  readonly stock: StockStore;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export interface ReserveOutcome {
  /** `re-emitted`: an earlier delivery had decided; its events were published again. */
  readonly kind: 'reserved' | 'rejected' | 're-emitted';
  readonly reservation: Reservation;
}

/**
 * Reserves every line of a paid order, or none of them and cancels the order (the saga's
 * compensation starts here: billing refunds on the OrderCancelled).
 *
 * Round trips: 1 (one TransactWriteItems) when stock is reserved or the decision already exists;
 * 2 when out of stock (the transaction, then a conditional Put of the rejection).
 *
 * Re-emission, not an outbox: the decision is written first, the events are published after it and
 * built from the stored decision. A crash between the two leaves the record uncommitted; its
 * redelivery finds the decision (the transaction's failed condition returns it) and publishes the
 * same events with the same event_ids.
 */
export async function reserveStock(
  order: { readonly order_id: string; readonly items: readonly OrderItem[] },
  deps: ReserveDependencies,
): Promise<ReserveOutcome> {
  const decidedAt = deps.now().toISOString();
  const attempt = await deps.stock.reserve(
    { order_id: order.order_id, status: 'reserved', items: order.items, decided_at: decidedAt },
    stockLines(order.items),
  );
  let outcome: ReserveOutcome;
  if (attempt.kind === 'out-of-stock') {
    // A delivery racing this one may have decided in between; its decision wins.
    const { recorded, reservation } = await deps.stock.recordRejection({
      order_id: order.order_id,
      status: 'rejected',
      items: order.items,
      decided_at: decidedAt,
      out_of_stock_products: attempt.products,
    });
    outcome = { kind: recorded ? 'rejected' : 're-emitted', reservation };
  } else {
    outcome = { kind: attempt.kind === 'reserved' ? 'reserved' : 're-emitted', reservation: attempt.reservation };
  }
  await deps.publisher.publish(reservationEvents(outcome.reservation));
  return outcome;
}
