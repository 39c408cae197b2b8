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
 * Refunds a cancelled order at most once, and only if it was charged.
 *
 * The ledger claim comes first (one conditional round trip: paid and not yet refunded), then the
 * provider refund, then the publish. A crash after the claim leaves a claimed but maybe unpaid-back
 * refund: the redelivered record finds the claim, calls the provider again with the same idempotency
 * key (which refunds if the first call never reached it, and otherwise returns the first refund)
 * and re-emits the same `refunded` event with the same event_id. So the claim can never strand a
 * refund, and the provider can never pay one back twice.
 *
 * A cancellation of a declined order, or of an order billing has never seen, has nothing to refund;
 * it is a valid record, not a poison one. In this flow a cancellation cannot overtake its charge:
 * only inventory cancels, and it acts on the `paid` outcome, which is published after the ledger write.
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
