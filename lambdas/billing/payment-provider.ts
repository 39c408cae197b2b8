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
