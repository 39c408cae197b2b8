import { SimulatedPaymentProvider } from '../../../lambdas/billing/adapters/simulated-payment-provider';
import type { Payment, RefundedPayment } from '../../../lambdas/billing/payment';
import type {
  ChargeRequest,
  ChargeResult,
  PaymentProvider,
  PaymentStore,
  RefundClaim,
  RefundRequest,
  RefundResult,
} from '../../../lambdas/billing/ports';
import type { Fault } from './faults';

/**
 * The payment ledger in memory, with the conditions of the DynamoDB adapter: a charge is written
 * only if the order has no entry (attribute_not_exists), a refund claimed only if the entry is paid
 * and not yet refunded; a failed condition returns the existing entry (ALL_OLD). Each call is atomic.
 * test/adapters/dynamodb-payment-store.test.ts runs the same cases against this double and the adapter.
 */
export class InMemoryPaymentStore implements PaymentStore {
  readonly items = new Map<string, Payment>();
  writes = 0;
  fault: Fault<'recordCharge' | 'claimRefund'> = () => undefined;

  async recordCharge(payment: Payment): Promise<{ recorded: boolean; payment: Payment }> {
    const error = this.fault('recordCharge', payment.order_id);
    if (error) throw error;
    const existing = this.items.get(payment.order_id);
    if (existing) return { recorded: false, payment: structuredClone(existing) };
    this.items.set(payment.order_id, structuredClone(payment));
    this.writes++;
    return { recorded: true, payment };
  }

  async claimRefund(orderId: string, reason: string, at: string): Promise<RefundClaim> {
    const error = this.fault('claimRefund', orderId);
    if (error) throw error;
    const existing = this.items.get(orderId);
    if (existing?.payment_status !== 'paid') return { kind: 'not-refundable', payment: structuredClone(existing) };
    if (existing.refunded_at !== undefined) {
      return { kind: 'already-refunded', payment: structuredClone(existing) as RefundedPayment };
    }
    const refunded: RefundedPayment = { ...existing, payment_status: 'paid', refunded_at: at, refund_reason: reason };
    this.items.set(orderId, refunded);
    this.writes++;
    return { kind: 'claimed', payment: structuredClone(refunded) };
  }
}

/**
 * A provider that keeps books like a real one honouring idempotency keys (Stripe-style): the first
 * request with a key moves money, a repeat returns the first result and moves none. Decisions come
 * from the simulated provider. `charges` and `refunds` are the money movements.
 */
export class LedgerKeepingProvider implements PaymentProvider {
  readonly charges = new Map<string, { request: ChargeRequest; result: ChargeResult }>();
  readonly refunds = new Map<string, { request: RefundRequest; result: RefundResult }>();
  chargeCalls = 0;
  refundCalls = 0;
  private readonly simulated = new SimulatedPaymentProvider();

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.chargeCalls++;
    const first = this.charges.get(request.idempotencyKey);
    if (first) {
      // A real provider rejects a key reused with other parameters; so must billing never do it.
      if (first.request.amount !== request.amount) throw new Error(`idempotency key ${request.idempotencyKey} reused`);
      return first.result;
    }
    const result = await this.simulated.charge(request);
    this.charges.set(request.idempotencyKey, { request, result });
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    this.refundCalls++;
    const first = this.refunds.get(request.idempotencyKey);
    if (first) return first.result;
    const charged = [...this.charges.values()].find((c) => c.result.transaction_id === request.transaction_id);
    if (charged?.result.status !== 'paid') throw new Error(`refund of ${request.transaction_id}, which was never paid`);
    if (charged.request.amount !== request.amount) throw new Error('refund amount differs from the charge');
    const result = await this.simulated.refund(request);
    this.refunds.set(request.idempotencyKey, { request, result });
    return result;
  }

  /** Money movements per order: charges that went through, refunds made. */
  movements(orderId: string): { paid: number; declined: number; refunded: number } {
    const charge = this.charges.get(orderId)?.result;
    return {
      paid: charge?.status === 'paid' ? 1 : 0,
      declined: charge?.status === 'declined' ? 1 : 0,
      refunded: [...this.refunds.values()].filter((r) => r.request.transaction_id === charge?.transaction_id).length,
    };
  }
}
