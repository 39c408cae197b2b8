import type { BillingOutcome, OrderLine } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import { toTopic, type OutgoingEvent } from '../shared/kafka/publisher';

/**
 * The intent to charge, written to the ledger before the provider is called (docs/design.md,
 * "Charge"). It keeps what the provider call needs, so every retry sends the same request under
 * the same idempotency key, whichever delivery makes it.
 */
export interface ChargeClaim {
  readonly order_id: string;
  readonly payment_status: 'charge_requested';
  readonly amount: number;
  readonly currency: string;
  readonly payment_method: string;
  /** Kept so that a re-emitted `paid` outcome carries the items like the first one. */
  readonly items: readonly OrderLine[];
  readonly requested_at: string;
}

export type RefundStatus = 'refund_requested' | 'refunded' | 'refund_failed';

/**
 * What an operator found at the provider for a charge claim: it was paid, it was declined, or no
 * charge happened at all (`none`), which closes the claim as declined (docs/design.md, "Reconciler").
 */
export const CHARGE_FINDINGS = ['paid', 'declined', 'none'] as const;
export type ChargeFinding = (typeof CHARGE_FINDINGS)[number];

/**
 * A completed charge: the claim completed with the provider's answer. The charge outcome never
 * changes once written; a refund is claimed and completed next to it, so the ledger says both what
 * the charge was and whether (and how) it was given back. `refunded_at` is set only once the
 * provider has refunded: nothing in the ledger claims a refund the provider did not make.
 */
export interface Payment extends Omit<ChargeClaim, 'payment_status' | 'requested_at' | 'payment_method'> {
  readonly payment_status: 'paid' | 'declined';
  readonly transaction_id: string;
  readonly charged_at: string;
  readonly requested_at?: string;
  readonly payment_method?: string;
  readonly decline_reason?: string;
  /**
   * Set when an operator settled a claim billing would not carry out again (`npm run reconcile --
   * --resolve`): what they found at the provider, and when.
   */
  readonly resolved_by?: 'operator';
  readonly resolution?: ChargeFinding;
  readonly resolved_at?: string;
  readonly refund_status?: RefundStatus;
  readonly refund_requested_at?: string;
  readonly refund_reason?: string;
  readonly refund_transaction_id?: string;
  readonly refunded_at?: string;
  /** Why the provider refused the refund for good: an operator's case, never shown as refunded. */
  readonly refund_failure?: string;
  readonly refund_failed_at?: string;
}

/** What the ledger holds for an order: a claim not yet completed, or a completed charge. */
export type LedgerEntry = ChargeClaim | Payment;

export type RefundedPayment = Payment & {
  readonly payment_status: 'paid';
  readonly refund_status: 'refunded';
  readonly refund_reason: string;
  readonly refund_transaction_id: string;
  readonly refunded_at: string;
};

export function isCompleted(entry: LedgerEntry): entry is Payment {
  return entry.payment_status !== 'charge_requested';
}

export function isRefunded(payment: Payment): payment is RefundedPayment {
  return payment.refund_status === 'refunded';
}

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

/** The refund outcome, from the completed ledger entry: the provider's refund transaction id and time. */
export function refundOutcome(payment: RefundedPayment): OutgoingEvent {
  const event: BillingOutcome = {
    event_type: 'BillingOutcome',
    event_id: outcomeEventId('refunded', payment.order_id),
    order_id: payment.order_id,
    payment_status: 'refunded',
    transaction_id: payment.refund_transaction_id,
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
