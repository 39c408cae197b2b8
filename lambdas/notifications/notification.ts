import type { AnyEvent, BillingOutcome, OrderCancelled, ShipmentDispatched } from '../shared/contracts/events';
import type { Order } from '../shared/orders/order';

/** The changes of an order a customer is told about, one email each. */
export const ORDER_CHANGES = ['confirmed', 'payment_declined', 'shipped', 'cancelled', 'refunded'] as const;
export type OrderChange = (typeof ORDER_CHANGES)[number];

/**
 * The changes a customer must have heard of before this one, in the order the saga makes them:
 * an order is shipped or cancelled only once paid, and refunded only once cancelled. The events
 * arrive on three topics read by separate mappings, so after an outage a later change can be read
 * first; sending its predecessors first keeps each order's emails in order (I8).
 */
export const EARLIER_CHANGES: Record<OrderChange, readonly OrderChange[]> = {
  confirmed: [],
  payment_declined: [],
  shipped: ['confirmed'],
  cancelled: ['confirmed'],
  refunded: ['confirmed', 'cancelled'],
};

export interface ChangeNotice {
  readonly order_id: string;
  readonly change: OrderChange;
}

/** The events the customer hears of (the notifications function's event types). */
export type NotifiableEvent = BillingOutcome | OrderCancelled | ShipmentDispatched;
export const NOTIFIABLE_EVENT_TYPES = ['BillingOutcome', 'OrderCancelled', 'ShipmentDispatched'] as const;

export function isNotifiable(event: AnyEvent): event is NotifiableEvent {
  return (NOTIFIABLE_EVENT_TYPES as readonly string[]).includes(event.event_type);
}

/** The change an outcome event announces. */
export function changeOf(event: NotifiableEvent): ChangeNotice {
  switch (event.event_type) {
    case 'BillingOutcome': {
      const change = ({ paid: 'confirmed', declined: 'payment_declined', refunded: 'refunded' } as const)[
        event.payment_status
      ];
      return { order_id: event.order_id, change };
    }
    case 'ShipmentDispatched':
      return { order_id: event.order_id, change: 'shipped' };
    case 'OrderCancelled':
      return { order_id: event.order_id, change: 'cancelled' };
  }
}

/** One key per order and change: the email's idempotency key and its record's id (I8). */
export function notificationId(notice: ChangeNotice): string {
  return `${notice.order_id}#${notice.change}`;
}

export interface Email {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** The notification id: the SES adapter tags the email with it, so that a repeat is recognisable. */
  readonly idempotencyKey: string;
}

const SUBJECTS: Record<OrderChange, string> = {
  confirmed: 'Your order is confirmed',
  payment_declined: 'Your payment was declined',
  shipped: 'Your order is on its way',
  cancelled: 'Your order was cancelled',
  refunded: 'Your refund is on its way',
};

const MESSAGES: Record<OrderChange, string> = {
  confirmed: 'We have received your payment and are preparing your order.',
  payment_declined: 'Your payment method was declined, so the order was not placed. Nothing was charged.',
  shipped: 'Your order has left our warehouse.',
  cancelled: 'Some items of your order are out of stock, so we have cancelled it.',
  refunded: 'We have refunded the full amount of your order to your payment method.',
};

/** The email for a change of an order, from the stored order (the outcome events carry no customer). */
export function composeEmail(notice: ChangeNotice, order: Order, to: string): Email {
  const lines = order.items.map((item) => `  ${item.quantity} x ${item.product_id} at ${item.unit_price.toFixed(2)}`);
  return {
    to,
    subject: `${SUBJECTS[notice.change]} (order ${order.order_id})`,
    text: [
      MESSAGES[notice.change],
      '',
      `Order ${order.order_id}:`,
      ...lines,
      `Total: ${order.amount.toFixed(2)} ${order.currency}`,
    ].join('\n'),
    idempotencyKey: notificationId(notice),
  };
}
