import type { Payment, RefundedPayment } from './payment';

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
