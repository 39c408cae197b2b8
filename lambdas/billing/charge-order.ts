import type { OrderCreated } from '../shared/contracts/events';
import { isBeyondKeyLifetime } from './claims';
import { chargeOutcome, isCompleted, type ChargeClaim, type Payment } from './payment';
import {
  chargeIdempotencyKey,
  PaymentRefusedError,
  type ChargeResult,
  type EventPublisher,
  type PaymentProvider,
  type PaymentStore,
} from './ports';

export interface ChargeDependencies {
  readonly payments: PaymentStore;
  readonly provider: PaymentProvider;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  /** How long the provider is trusted to remember an idempotency key; PROVIDER_KEY_TRUST_MS by default. */
  readonly providerKeyTrustMs?: number;
}

export type ChargeOutcome =
  /** This delivery completed the charge (`charged`), or found it completed and re-emitted it. */
  | { readonly kind: 'charged' | 're-emitted'; readonly payment: Payment }
  /** Claimed so long ago that the provider may have forgotten the key: the reconciler's, not ours. */
  | { readonly kind: 'left-for-reconciler'; readonly claim: ChargeClaim };

/**
 * Charges an order once, whatever the number of deliveries and however late they come: the intent
 * is claimed in the ledger first, the provider called only while no result is stored, the entry
 * completed, and the outcome published from the entry that won (docs/design.md, "Charge").
 */
export async function chargeOrder(order: OrderCreated, deps: ChargeDependencies): Promise<ChargeOutcome> {
  const { kind, entry } = await deps.payments.claimCharge({
    order_id: order.order_id,
    payment_status: 'charge_requested',
    amount: order.amount,
    currency: order.currency,
    payment_method: order.payment_method,
    items: order.items,
    requested_at: deps.now().toISOString(),
  });
  if (isCompleted(entry)) {
    await deps.publisher.publish([chargeOutcome(entry)]);
    return { kind: 're-emitted', payment: entry };
  }
  // Our own claim, or one whose delivery crashed: its key is still fresh unless the claim is old.
  if (kind === 'existing' && isBeyondKeyLifetime(entry.requested_at, deps.now(), deps.providerKeyTrustMs)) {
    return { kind: 'left-for-reconciler', claim: entry };
  }
  return finishCharge(entry, deps);
}

/**
 * Calls the provider with the claim's own request and key, completes the entry, publishes what won.
 * A refusal for good (PaymentRefusedError, a 4xx) is a final answer like a decline: the entry is
 * completed `declined` with the refusal as its reason, so the order ends PAYMENT_DECLINED instead of
 * staying PLACED behind a dead letter. No money moved, so no stored state claims it did (I9).
 */
export async function finishCharge(claim: ChargeClaim, deps: ChargeDependencies): Promise<ChargeOutcome> {
  const charge = await chargeOrRefusal(claim, deps.provider);
  const { kind, payment } = await deps.payments.completeCharge(claim.order_id, {
    payment_status: charge.status,
    transaction_id: charge.transaction_id,
    charged_at: deps.now().toISOString(),
    ...(charge.status === 'declined' ? { decline_reason: charge.reason } : {}),
  });
  await deps.publisher.publish([chargeOutcome(payment)]);
  return { kind: kind === 'completed' ? 'charged' : 're-emitted', payment };
}

/** The transaction id of a charge the provider refused: there is none, and the outcome needs one. */
export const refusedTransactionId = (orderId: string): string => `refused:${orderId}`;

async function chargeOrRefusal(claim: ChargeClaim, provider: PaymentProvider): Promise<ChargeResult> {
  try {
    return await provider.charge({
      idempotencyKey: chargeIdempotencyKey(claim.order_id),
      amount: claim.amount,
      currency: claim.currency,
      payment_method: claim.payment_method,
    });
  } catch (error) {
    if (!(error instanceof PaymentRefusedError)) throw error;
    return { status: 'declined', transaction_id: refusedTransactionId(claim.order_id), reason: error.message };
  }
}
