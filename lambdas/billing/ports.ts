/** What billing talks to: the payment ledger, the payment provider and the event publisher. */
import type { Payment, RefundedPayment } from './payment';

export type { EventPublisher } from '../shared/kafka/publisher';

/**
 * The payment ledger: one entry per order, written with conditional writes so that concurrent or
 * repeated deliveries agree on a single outcome. Each method is one DynamoDB round trip.
 */
export interface PaymentStore {
  /**
   * Records the charge unless the order already has one. Returns the entry that holds: the new one
   * (`recorded: true`), or the one written by an earlier delivery, which wins.
   */
  recordCharge(payment: Payment): Promise<{ readonly recorded: boolean; readonly payment: Payment }>;

  /** Marks a paid, not yet refunded payment as refunded. */
  claimRefund(orderId: string, reason: string, at: string): Promise<RefundClaim>;
}

export type RefundClaim =
  /** This call made the claim: the refund is ours to carry out. */
  | { readonly kind: 'claimed'; readonly payment: RefundedPayment }
  /** An earlier delivery made the claim; it may have crashed before the provider call or the publish. */
  | { readonly kind: 'already-refunded'; readonly payment: RefundedPayment }
  /** Declined, or no payment at all: there is no money to give back. */
  | { readonly kind: 'not-refundable'; readonly payment: Payment | undefined };

/**
 * The port to a payment provider. Both operations take an idempotency key, as real providers do
 * (Stripe's `Idempotency-Key` header, Adyen's `Idempotency-Key`): a request repeated with the same key
 * returns the first result instead of moving money again. Billing keys a charge by order_id and a
 * refund by `refundIdempotencyKey(order_id)`, so a redelivered record that calls the provider again
 * cannot charge or refund twice. I1 rests on this key together with the payment ledger
 * (PaymentStore): the provider makes repeated calls harmless, the ledger decides which outcome is
 * the order's and allows one refund, for a charged order only.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface ChargeRequest {
  readonly idempotencyKey: string;
  readonly amount: number;
  readonly currency: string;
  readonly payment_method: string;
}

export type ChargeResult =
  | { readonly status: 'paid'; readonly transaction_id: string }
  | { readonly status: 'declined'; readonly transaction_id: string; readonly reason: string };

export interface RefundRequest {
  readonly idempotencyKey: string;
  /** The charge being refunded. */
  readonly transaction_id: string;
  readonly amount: number;
  readonly currency: string;
}

export interface RefundResult {
  readonly transaction_id: string;
}

export const chargeIdempotencyKey = (orderId: string): string => orderId;
export const refundIdempotencyKey = (orderId: string): string => `${orderId}:refund`;
