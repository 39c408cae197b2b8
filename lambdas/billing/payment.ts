import type { BillingOutcome, OrderItem } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import { toTopic, type OutgoingEvent } from '../shared/kafka/publisher';

/**
 * One order's entry in the payment ledger. The charge outcome is written once and never changes;
 * a refund is recorded next to it (refunded_at), so the ledger always says both what the charge was
 * and whether it was given back.
 */
export interface Payment {
  readonly order_id: string;
  readonly payment_status: 'paid' | 'declined';
  readonly transaction_id: string;
  readonly amount: number;
  readonly currency: string;
  /** Kept so that a re-emitted `paid` outcome carries the items like the first one. */
  readonly items: readonly OrderItem[];
  readonly charged_at: string;
  readonly decline_reason?: string;
  readonly refunded_at?: string;
  readonly refund_reason?: string;
}

export type RefundedPayment = Payment & {
  readonly payment_status: 'paid';
  readonly refunded_at: string;
  readonly refund_reason: string;
};

/**
 * The outcome of the charge, built from the ledger entry alone: the first delivery and every
 * re-emission after a redelivery produce the same event, same event_id and same timestamp.
 */
export function chargeOutcome(payment: Payment): OutgoingEvent {
  const event: BillingOutcome = {
    event_type: 'BillingOutcome',
    event_id: outcomeEventId(payment.payment_status, payment.order_id),
    order_id: payment.order_id,
    payment_status: payment.payment_status,
    transaction_id: payment.transaction_id,
    amount: payment.amount,
    currency: payment.currency,
    timestamp: payment.charged_at,
    ...(payment.payment_status === 'paid' ? { items: [...payment.items] } : { reason: payment.decline_reason }),
  };
  return toTopic(TOPICS.billingOutcome.name, event);
}

/** The refund outcome; `refundTransactionId` is the provider's, stable for the refund's idempotency key. */
export function refundOutcome(payment: RefundedPayment, refundTransactionId: string): OutgoingEvent {
  const event: BillingOutcome = {
    event_type: 'BillingOutcome',
    event_id: outcomeEventId('refunded', payment.order_id),
    order_id: payment.order_id,
    payment_status: 'refunded',
    transaction_id: refundTransactionId,
    charge_transaction_id: payment.transaction_id,
    amount: payment.amount,
    currency: payment.currency,
    reason: payment.refund_reason,
    timestamp: payment.refunded_at,
  };
  return toTopic(TOPICS.billingOutcome.name, event);
}

export function outcomeEventId(status: BillingOutcome['payment_status'], orderId: string): string {
  return deterministicId(TOPICS.billingOutcome.name, status, orderId);
}
