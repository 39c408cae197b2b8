import { SimulatedPaymentProvider } from '../../../lambdas/billing/adapters/simulated-payment-provider';
import { isCompleted, type ChargeClaim, type LedgerEntry, type Payment } from '../../../lambdas/billing/payment';
import {
  PaymentRefusedError,
  type ChargeCompletion,
  type ChargeRequest,
  type ChargeResult,
  type Completion,
  type PaymentProvider,
  type PaymentStore,
  type RefundClaim,
  type RefundCompletion,
  type RefundRequest,
  type RefundResult,
} from '../../../lambdas/billing/ports';
import type { Fault } from './faults';

/**
 * The payment ledger in memory, with the conditions of the DynamoDB adapter: a charge is claimed only
 * if the order has no entry (attribute_not_exists), completed only while it is `charge_requested`; a
 * refund claimed only if the entry is paid and has no refund, completed only while it is
 * `refund_requested`; a failed condition returns the existing entry (ALL_OLD). Each call is atomic.
 * test/adapters/dynamodb-payment-store.test.ts runs the same cases against this double and the adapter.
 */
export class InMemoryPaymentStore implements PaymentStore {
  readonly items = new Map<string, LedgerEntry>();
  writes = 0;
  fault: Fault<'claimCharge' | 'completeCharge' | 'claimRefund' | 'completeRefund'> = () => undefined;

  async claimCharge(claim: ChargeClaim): Promise<{ kind: 'claimed' | 'existing'; entry: LedgerEntry }> {
    this.throwFault('claimCharge', claim.order_id);
    const existing = this.items.get(claim.order_id);
    if (existing) return { kind: 'existing', entry: structuredClone(existing) };
    this.write(claim);
    return { kind: 'claimed', entry: claim };
  }

  async completeCharge(orderId: string, completion: ChargeCompletion): Promise<Completion> {
    this.throwFault('completeCharge', orderId);
    return this.complete(orderId, (e) => e.payment_status === 'charge_requested', completion);
  }

  async claimRefund(orderId: string, reason: string, at: string): Promise<RefundClaim> {
    this.throwFault('claimRefund', orderId);
    const existing = structuredClone(this.items.get(orderId));
    if (existing?.payment_status !== 'paid') return { kind: 'not-refundable', payment: existing };
    if (existing.refund_status !== undefined) {
      return { kind: 'existing', payment: { ...existing, refund_status: existing.refund_status } };
    }
    const claimed = {
      ...existing,
      refund_status: 'refund_requested' as const,
      refund_requested_at: at,
      refund_reason: reason,
    };
    this.write(claimed);
    return { kind: 'claimed', payment: structuredClone(claimed) };
  }

  async completeRefund(orderId: string, completion: RefundCompletion): Promise<Completion> {
    this.throwFault('completeRefund', orderId);
    return this.complete(orderId, (e) => isCompleted(e) && e.refund_status === 'refund_requested', completion);
  }

  async openClaims(requestedBefore: string): Promise<LedgerEntry[]> {
    return [...this.items.values()]
      .filter((e) =>
        isCompleted(e)
          ? e.refund_status === 'refund_requested' && e.refund_requested_at! < requestedBefore
          : e.requested_at < requestedBefore,
      )
      .map((e) => structuredClone(e));
  }

  private complete(
    orderId: string,
    condition: (entry: LedgerEntry) => boolean,
    completion: ChargeCompletion | RefundCompletion,
  ): Completion {
    const existing = this.items.get(orderId);
    if (existing === undefined)
      throw new Error(`Conditional write on ${orderId} failed without returning the existing item`);
    if (!condition(existing)) return { kind: 'already-completed', payment: structuredClone(existing) as Payment };
    const fields = Object.fromEntries(Object.entries(completion).filter(([, value]) => value !== undefined));
    const completed = { ...existing, ...fields } as Payment;
    this.write(completed);
    return { kind: 'completed', payment: structuredClone(completed) };
  }

  private write(entry: LedgerEntry): void {
    this.items.set(entry.order_id, structuredClone(entry));
    this.writes++;
  }

  private throwFault(operation: 'claimCharge' | 'completeCharge' | 'claimRefund' | 'completeRefund', key: string) {
    const error = this.fault(operation, key);
    if (error) throw error;
  }
}

export interface ProviderBehaviour {
  /** The provider's clock, in ms; the keys' age is measured on it. */
  readonly now?: () => number;
  /** Keys older than this are forgotten, as Stripe prunes keys of at least 24 hours: a repeat moves money again. */
  readonly forgetKeysAfterMs?: number;
  /** The reason the provider refuses a refund for good, or undefined to accept it. */
  readonly refuseRefund?: (request: RefundRequest) => string | undefined;
}

interface Move<Request, Result> {
  readonly request: Request;
  readonly result: Result;
  readonly at: number;
}

/**
 * A provider that keeps books like a real one honouring idempotency keys (Stripe-style): the first
 * request with a key moves money, a repeat returns the first result and moves none, until the key is
 * forgotten (`forgetKeysAfterMs`). Decisions come from the simulated provider; `refuseRefund` refuses
 * for good (and keeps refusing under the same key). `charges` and `refunds` are every money movement.
 */
export class LedgerKeepingProvider implements PaymentProvider {
  readonly charges: Move<ChargeRequest, ChargeResult>[] = [];
  readonly refunds: Move<RefundRequest, RefundResult>[] = [];
  chargeCalls = 0;
  refundCalls = 0;
  private readonly keys = new Map<string, Move<ChargeRequest | RefundRequest, ChargeResult | RefundResult | string>>();
  private readonly simulated = new SimulatedPaymentProvider();

  constructor(private readonly behaviour: ProviderBehaviour = {}) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.chargeCalls++;
    const first = this.remembered(request.idempotencyKey);
    if (first) {
      // A real provider rejects a key reused with other parameters; so must billing never do it.
      if (first.request.amount !== request.amount) throw new Error(`idempotency key ${request.idempotencyKey} reused`);
      return first.result as ChargeResult;
    }
    const result = await this.simulated.charge(request);
    const move = { request, result, at: this.now() };
    this.keys.set(request.idempotencyKey, move);
    this.charges.push(move);
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    this.refundCalls++;
    const first = this.remembered(request.idempotencyKey);
    if (typeof first?.result === 'string') throw new PaymentRefusedError(first.result);
    if (first) return first.result as RefundResult;
    const charged = this.charges.find((c) => c.result.transaction_id === request.transaction_id);
    if (charged?.result.status !== 'paid') throw new Error(`refund of ${request.transaction_id}, which was never paid`);
    if (charged.request.amount !== request.amount) throw new Error('refund amount differs from the charge');
    const refusal = this.behaviour.refuseRefund?.(request);
    if (refusal !== undefined) {
      this.keys.set(request.idempotencyKey, { request, result: refusal, at: this.now() });
      throw new PaymentRefusedError(refusal);
    }
    const result = await this.simulated.refund(request);
    const move = { request, result, at: this.now() };
    this.keys.set(request.idempotencyKey, move);
    this.refunds.push(move);
    return result;
  }

  /** The provider's whole book: every charge made under the key (none is an answer too). */
  async lookup(idempotencyKey: string): Promise<readonly ChargeResult[]> {
    return this.charges.filter((c) => c.request.idempotencyKey === idempotencyKey).map((c) => c.result);
  }

  /** The result of the first charge made for the order, if any. */
  chargeOf(orderId: string): ChargeResult | undefined {
    return this.charges.find((c) => c.request.idempotencyKey === orderId)?.result;
  }

  /** Money movements per order: charges that went through or were declined, refunds made. */
  movements(orderId: string): { paid: number; declined: number; refunded: number } {
    const charges = this.charges.filter((c) => c.request.idempotencyKey === orderId);
    const transactions = new Set(charges.map((c) => c.result.transaction_id));
    return {
      paid: charges.filter((c) => c.result.status === 'paid').length,
      declined: charges.filter((c) => c.result.status === 'declined').length,
      refunded: this.refunds.filter((r) => transactions.has(r.request.transaction_id)).length,
    };
  }

  private now(): number {
    return this.behaviour.now?.() ?? Date.now();
  }

  private remembered(key: string) {
    const first = this.keys.get(key);
    const forgetAfter = this.behaviour.forgetKeysAfterMs;
    if (first && forgetAfter !== undefined && this.now() - first.at >= forgetAfter) {
      this.keys.delete(key);
      return undefined;
    }
    return first;
  }
}

/** An open charge claim (one abc at 49.50 USD by card), as billing writes it before it calls the provider. */
export function chargeClaim(order_id: string, overrides: Partial<ChargeClaim> = {}): ChargeClaim {
  return {
    order_id,
    payment_status: 'charge_requested',
    amount: 49.5,
    currency: 'USD',
    payment_method: 'credit_card',
    items: [{ product_id: 'abc', quantity: 1, unit_price: 49.5 }],
    requested_at: '2025-04-07T12:34:57.120Z',
    ...overrides,
  };
}
