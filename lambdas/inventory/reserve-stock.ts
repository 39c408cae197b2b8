import type { OrderLine } from '../shared/contracts/events';
import { reservationEvents, stockLines, type Reservation } from './reservation';
import type { EventPublisher, StockStore } from './ports';

export interface ReserveDependencies {
  readonly stock: StockStore;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

/** `re-emitted`: an earlier delivery had decided; its events were published again. */
export type ReserveOutcome = {
  readonly kind: 'reserved' | 'rejected' | 're-emitted';
  readonly reservation: Reservation;
};

/**
 * Reserves every line of a paid order, or none of them and cancels the order (the saga's
 * compensation); events are re-emitted from the stored decision (docs/design.md, "Reservation").
 */
export async function reserveStock(
  order: { readonly order_id: string; readonly items: readonly OrderLine[] },
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
    const { kind, reservation } = await deps.stock.recordRejection({
      order_id: order.order_id,
      status: 'rejected',
      items: order.items,
      decided_at: decidedAt,
      out_of_stock_products: attempt.products,
    });
    outcome = { kind: kind === 'recorded' ? 'rejected' : 're-emitted', reservation };
  } else {
    outcome = { kind: attempt.kind === 'reserved' ? 'reserved' : 're-emitted', reservation: attempt.reservation };
  }
  await deps.publisher.publish(reservationEvents(outcome.reservation));
  return outcome;
}
