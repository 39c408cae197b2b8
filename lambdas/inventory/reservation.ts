import type { OrderCancelled, OrderLine, StockChanged, StockReserved } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import { toTopic, type OutgoingEvent } from '../shared/kafka/publisher';

/** Units of one product an order takes off the shelf. */
export interface StockLine {
  readonly product_id: string;
  readonly quantity: number;
}

/**
 * Inventory's decision for one order, written once: `reserved` (every line taken off the shelf) or
 * `rejected` (nothing taken, the order is cancelled for lack of stock). A redelivery re-emits the
 * events of the decision already made, it never decides again.
 */
export interface Reservation {
  readonly order_id: string;
  readonly status: 'reserved' | 'rejected';
  readonly items: readonly OrderLine[];
  readonly decided_at: string;
  /** On a rejection: the products that were short. */
  readonly out_of_stock_products?: readonly string[];
}

/**
 * One line per product: an order may list a product twice, and one DynamoDB transaction may not
 * touch the same item twice. Sorted by product_id so that the transaction and the events are the
 * same on every delivery.
 */
export function stockLines(items: readonly OrderLine[]): StockLine[] {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.product_id, (quantities.get(item.product_id) ?? 0) + item.quantity);
  return [...quantities.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([product_id, quantity]) => ({ product_id, quantity }));
}

/**
 * The events of a decision, built from the reservation alone, so a re-emission after a redelivery
 * publishes the same events with the same event_ids and timestamps.
 */
export function reservationEvents(reservation: Reservation): OutgoingEvent[] {
  const { order_id, decided_at: timestamp } = reservation;
  if (reservation.status === 'rejected') {
    const cancelled: OrderCancelled = {
      event_type: 'OrderCancelled',
      event_id: deterministicId(TOPICS.inventoryOutcome.name, 'OrderCancelled', order_id),
      order_id,
      reason: 'out_of_stock',
      out_of_stock_products: [...(reservation.out_of_stock_products ?? [])],
      timestamp,
    };
    return [toTopic(TOPICS.inventoryOutcome.name, cancelled)];
  }
  const stockChanges = stockLines(reservation.items).map((line): OutgoingEvent => {
    const event: StockChanged = {
      event_type: 'StockChanged',
      event_id: stockChangeEventId(order_id, line.product_id),
      product_id: line.product_id,
      quantity_change: -line.quantity,
      order_id,
      timestamp,
    };
    return toTopic(TOPICS.inventory.name, event);
  });
  const reserved: StockReserved = {
    event_type: 'StockReserved',
    event_id: deterministicId(TOPICS.inventoryOutcome.name, 'StockReserved', order_id),
    order_id,
    items: [...reservation.items],
    timestamp,
  };
  return [...stockChanges, toTopic(TOPICS.inventoryOutcome.name, reserved)];
}

export function stockChangeEventId(orderId: string, productId: string): string {
  return deterministicId('stock', orderId, productId);
}
