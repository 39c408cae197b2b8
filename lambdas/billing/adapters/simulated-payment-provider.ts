import { deterministicId } from '../../shared/ids';
import {
  PaymentRefusedError,
  refundIdempotencyKey,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundRequest,
  type RefundResult,
} from '../ports';

/** The payment method that the simulated provider always declines (for demos and tests). */
export const DECLINED_CARD = 'declined_card';
/** The payment method the simulated provider refuses for good, as a 4xx (PaymentRefusedError). */
export const REFUSED_PAYMENT_METHOD = 'refused_card';
/** The cents that make the simulated provider decline any amount (10.13, 99.13, ...). */
export const DECLINED_CENTS = 13;

/** The simulated provider's fault settings (billing/config.ts reads them from the environment); all off by default. */
export interface SimulatedProviderSettings {
  /** Forget an idempotency key this long after its first use (0: at once); undefined: never forget. */
  readonly forgetKeysAfterMs?: number;
  /** Order ids whose refund is refused for good. */
  readonly refuseRefundsFor?: readonly string[];
}

/** The log message of each statement entry (billing's handler logs them; the chaos run reads them). */
export const SIMULATED_PROVIDER_LOG_MESSAGE = 'Simulated payment provider request';

/** One request as the provider saw it: its own statement, to check money moved once (I9). */
export interface ProviderStatementEntry {
  readonly operation: 'charge' | 'refund';
  readonly idempotency_key: string;
  /** False when the key was remembered: a replay, no money moved. */
  readonly new_request: boolean;
  readonly outcome: string;
  readonly transaction_id?: string;
}

/**
 * A deterministic stand-in for a payment provider, for demos and tests: it declines the
 * `declined_card` payment method and any amount whose cents are .13, and accepts everything else.
 * Transaction ids derive from the idempotency key, so a repeated request gets the same answer, as
 * with a real provider's idempotency keys, for as long as it remembers the key (forgetKeysAfterMs):
 * a request whose key it forgot is a new one, with a new transaction id, as a real provider would
 * move money again. Swap in a real adapter behind the same port for production.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  /** Key -> when it was first used and how many times it was forgotten since. */
  private readonly keys = new Map<string, { firstUsedAt: number; generation: number }>();
  /** Key -> every charge made under it, in order: the memory lookup() answers from. */
  private readonly charges = new Map<string, ChargeResult[]>();
  private readonly refused: ReadonlySet<string>;

  constructor(
    private readonly settings: SimulatedProviderSettings = {},
    private readonly statement: (entry: ProviderStatementEntry) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.refused = new Set((settings.refuseRefundsFor ?? []).map(refundIdempotencyKey));
  }

  /** Billing trusts a key for less than this (claims.ts, keyTrustMs); infinite when it never forgets. */
  get keyLifetimeMs(): number {
    return this.settings.forgetKeysAfterMs ?? Number.POSITIVE_INFINITY;
  }

  /**
   * From this instance's memory: the charges it made under the key, or undefined for a key it never
   * saw, since another instance (another execution environment) may have charged under it.
   */
  async lookup(idempotencyKey: string): Promise<readonly ChargeResult[] | undefined> {
    const charges = this.charges.get(idempotencyKey);
    return charges ? [...charges] : this.keys.has(idempotencyKey) ? [] : undefined;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const { generation, fresh } = this.use(request.idempotencyKey);
    if (request.payment_method === REFUSED_PAYMENT_METHOD) {
      this.statement({
        operation: 'charge',
        idempotency_key: request.idempotencyKey,
        new_request: fresh,
        outcome: 'refused',
      });
      throw new PaymentRefusedError(`payment method "${REFUSED_PAYMENT_METHOD}" refused (400 invalid_request)`);
    }
    const transaction_id = `txn_${deterministicId('simulated-provider', 'charge', request.idempotencyKey, ...suffix(generation))}`;
    let result: ChargeResult = { status: 'paid', transaction_id };
    if (request.payment_method === DECLINED_CARD)
      result = { status: 'declined', transaction_id, reason: 'card_declined' };
    else if (centsOf(request.amount) === DECLINED_CENTS) {
      result = { status: 'declined', transaction_id, reason: 'insufficient_funds' };
    }
    this.statement({
      operation: 'charge',
      idempotency_key: request.idempotencyKey,
      new_request: fresh,
      outcome: result.status,
      transaction_id,
    });
    if (fresh) this.charges.set(request.idempotencyKey, [...(this.charges.get(request.idempotencyKey) ?? []), result]);
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const { generation, fresh } = this.use(request.idempotencyKey);
    if (this.refused.has(request.idempotencyKey)) {
      this.statement({
        operation: 'refund',
        idempotency_key: request.idempotencyKey,
        new_request: fresh,
        outcome: 'refused',
      });
      throw new PaymentRefusedError('refund refused by the simulated provider (charge disputed)');
    }
    const transaction_id = `txn_${deterministicId('simulated-provider', 'refund', request.idempotencyKey, ...suffix(generation))}`;
    this.statement({
      operation: 'refund',
      idempotency_key: request.idempotencyKey,
      new_request: fresh,
      outcome: 'refunded',
      transaction_id,
    });
    return { transaction_id };
  }

  /** Remembers a key; one used longer ago than forgetKeysAfterMs is forgotten, so this use is a new request. */
  private use(key: string): { generation: number; fresh: boolean } {
    const now = this.now();
    const known = this.keys.get(key);
    const ttl = this.settings.forgetKeysAfterMs;
    if (known && (ttl === undefined || now - known.firstUsedAt < ttl))
      return { generation: known.generation, fresh: false };
    const generation = known ? known.generation + 1 : 0;
    this.keys.set(key, { firstUsedAt: now, generation });
    return { generation, fresh: true };
  }
}

/** The first use of a key keeps the historical transaction id; later generations get their own. */
function suffix(generation: number): string[] {
  return generation === 0 ? [] : [`forgotten-${generation}`];
}

/** The cents of an amount, in integer arithmetic: 10.13 * 100 is 1012.9999999999999 in floating point. */
export function centsOf(amount: number): number {
  return Math.round(amount * 100) % 100;
}
