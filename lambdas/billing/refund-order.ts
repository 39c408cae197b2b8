import type { OrderCancelled } from '../shared/contracts/events';
import type { ChargeDependencies } from './charge-order';
import { isBeyondKeyLifetime } from './claims';
import { isRefunded, refundOutcome, type LedgerEntry, type Payment } from './payment';
import { PaymentRefusedError, refundIdempotencyKey } from './ports';

export type RefundDependencies = ChargeDependencies;

export type RefundOutcome =
  /** This delivery completed the refund (`refunded`), or found it completed and re-emitted it. */
  | { readonly kind: 'refunded' | 're-emitted'; readonly payment: Payment }
  /** The provider refused the refund for good (now or on an earlier delivery): an operator's case. */
  | { readonly kind: 'refund-failed'; readonly payment: Payment }
  /** Claimed so long ago that the provider may have forgotten the key: the reconciler's, not ours. */
  | { readonly kind: 'left-for-reconciler'; readonly payment: Payment }
  | { readonly kind: 'nothing-to-refund'; readonly payment: LedgerEntry | undefined };

/**
 * Refunds a cancelled order at most once, and only if it was charged: ledger claim
 * (`refund_requested`), provider refund under the same key on every retry while no result is stored,
 * completion (`refunded` or `refund_failed`), then the publish (docs/design.md, "Refund").
 */
export async function refundOrder(cancellation: OrderCancelled, deps: RefundDependencies): Promise<RefundOutcome> {
  const claim = await deps.payments.claimRefund(cancellation.order_id, cancellation.reason, deps.now().toISOString());
  if (claim.kind === 'not-refundable') return { kind: 'nothing-to-refund', payment: claim.payment };
  const { payment } = claim;
  if (payment.refund_status === 'refund_requested') {
    const requestedAt = payment.refund_requested_at ?? payment.charged_at;
    if (claim.kind === 'existing' && isBeyondKeyLifetime(requestedAt, deps.now(), deps.providerKeyTrustMs)) {
      return { kind: 'left-for-reconciler', payment };
    }
    return finishRefund(payment, deps);
  }
  if (isRefunded(payment)) {
    await deps.publisher.publish([refundOutcome(payment)]);
    return { kind: 're-emitted', payment };
  }
  return { kind: 'refund-failed', payment };
}

/** Calls the provider under the refund's key, records its answer, publishes a completed refund only. */
export async function finishRefund(payment: Payment, deps: RefundDependencies): Promise<RefundOutcome> {
  let completion;
  try {
    const refund = await deps.provider.refund({
      idempotencyKey: refundIdempotencyKey(payment.order_id),
      transaction_id: payment.transaction_id,
      amount: payment.amount,
      currency: payment.currency,
    });
    completion = await deps.payments.completeRefund(payment.order_id, {
      refund_status: 'refunded',
      refund_transaction_id: refund.transaction_id,
      refunded_at: deps.now().toISOString(),
    });
  } catch (error) {
    // Anything else (a timeout, a 5xx) may succeed on a retry under the same key: let it propagate.
    if (!(error instanceof PaymentRefusedError)) throw error;
    completion = await deps.payments.completeRefund(payment.order_id, {
      refund_status: 'refund_failed',
      refund_failure: error.reason,
      refund_failed_at: deps.now().toISOString(),
    });
  }
  const completed = completion.payment;
  if (!isRefunded(completed)) return { kind: 'refund-failed', payment: completed };
  await deps.publisher.publish([refundOutcome(completed)]);
  return { kind: completion.kind === 'completed' ? 'refunded' : 're-emitted', payment: completed };
}
