import { deterministicId } from '../../shared/ids';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from '../ports';

/** The payment method that the simulated provider always declines (for demos and tests). */
export const DECLINED_CARD = 'declined_card';
/** The cents that make the simulated provider decline any amount (10.13, 99.13, ...). */
export const DECLINED_CENTS = 13;

/**
 * A deterministic stand-in for a payment provider, for demos and tests: it declines the
 * `declined_card` payment method and any amount whose cents are .13, and accepts everything else.
 * Transaction ids derive from the idempotency key, so a repeated request gets the same answer, as
 * with a real provider's idempotency keys. Swap in a real adapter behind the same port for production.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const transaction_id = `txn_${deterministicId('simulated-provider', 'charge', request.idempotencyKey)}`;
    if (request.payment_method === DECLINED_CARD)
      return { status: 'declined', transaction_id, reason: 'card_declined' };
    if (centsOf(request.amount) === DECLINED_CENTS) {
      return { status: 'declined', transaction_id, reason: 'insufficient_funds' };
    }
    return { status: 'paid', transaction_id };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    return { transaction_id: `txn_${deterministicId('simulated-provider', 'refund', request.idempotencyKey)}` };
  }
}

/** The cents of an amount, in integer arithmetic: 10.13 * 100 is 1012.9999999999999 in floating point. */
export function centsOf(amount: number): number {
  return Math.round(amount * 100) % 100;
}
