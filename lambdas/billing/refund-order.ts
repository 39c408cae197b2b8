import type { OrderCancelled } from '../shared/contracts/events';
import { refundOutcome, type Payment } from './payment';
import { refundIdempotencyKey, type EventPublisher, type PaymentProvider, type PaymentStore } from './ports';

export interface RefundDependencies {
  readonly payments: PaymentStore;
  readonly provider: PaymentProvider;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export type RefundOutcome =
  | { readonly kind: 'refunded' | 're-emitted'; readonly payment: Payment; readonly refundTransactionId: string }
  | { readonly kind: 'nothing-to-refund'; readonly payment: Payment | undefined };

/**
 * Refunds a cancelled order at most once, and only if it was charged: ledger claim, provider refund
 * with the same idempotency key on every retry, then the publish (docs/design.md, "Refund").
 */
export async function refundOrder(cancellation: OrderCancelled, deps: RefundDependencies): Promise<RefundOutcome> {
  const claim = await deps.payments.claimRefund(cancellation.order_id, cancellation.reason, deps.now().toISOString());
  if (claim.kind === 'not-refundable') return { kind: 'nothing-to-refund', payment: claim.payment };
  const { payment } = claim;
  const refund = await deps.provider.refund({
    idempotencyKey: refundIdempotencyKey(payment.order_id),
    transaction_id: payment.transaction_id,
    amount: payment.amount,
    currency: payment.currency,
  });
  await deps.publisher.publish([refundOutcome(payment, refund.transaction_id)]);
  return {
    kind: claim.kind === 'claimed' ? 'refunded' : 're-emitted',
    payment,
    refundTransactionId: refund.transaction_id,
  };
}
