import { finishCharge, type ChargeDependencies } from './charge-order';
import { isBeyondKeyLifetime } from './claims';
import { chargeOutcome, isCompleted, type ChargeFinding, type LedgerEntry, type Payment } from './payment';
import { chargeIdempotencyKey, type ChargeCompletion, type ChargeResult } from './ports';
import { finishRefund } from './refund-order';

export interface ReconcileOptions {
  /** Claims requested longer ago than this and never completed are listed. */
  readonly olderThanMs: number;
  /** Finish the listed claims whose provider key is still fresh; otherwise only report. */
  readonly finish: boolean;
}

export interface ReconciledClaim {
  readonly order_id: string;
  readonly claim: 'charge' | 'refund';
  readonly requested_at: string;
  /**
   * `finished`: carried out with its own key and completed; `listed`: left as it was (no --finish);
   * `needs-operator`: the provider may have forgotten the key, so only a look-up at the provider
   * (its dashboard or a search by order id) can tell whether money moved (settle it with --resolve);
   * `failed`: this claim's attempt threw (`reason`); the others were still carried out.
   */
  readonly action: 'finished' | 'listed' | 'needs-operator' | 'failed';
  /** The status the entry holds after this run, as far as this run knows. */
  readonly status: string;
  readonly reason?: string;
}

/**
 * The reconciler: finds charge and refund claims that no delivery completed (the record was
 * dead-lettered, or its redelivery came after the key lifetime) and finishes or reports them. Each
 * claim is on its own: one that throws is reported `failed` with its reason and the run goes on,
 * and the clock is read per claim, so a long run never judges a key's age by its start time.
 */
export async function reconcileClaims(deps: ChargeDependencies, options: ReconcileOptions): Promise<ReconciledClaim[]> {
  const open = await deps.payments.openClaims(new Date(deps.now().getTime() - options.olderThanMs).toISOString());
  const report: ReconciledClaim[] = [];
  for (const entry of open) {
    try {
      report.push(await reconcile(entry, deps, options));
    } catch (error) {
      report.push({ ...describe(entry), action: 'failed', status: statusOf(entry), reason: reasonOf(error) });
    }
  }
  return report;
}

async function reconcile(
  entry: LedgerEntry,
  deps: ChargeDependencies,
  options: ReconcileOptions,
): Promise<ReconciledClaim> {
  const base = describe(entry);
  const current = statusOf(entry);
  if (isBeyondKeyLifetime(base.requested_at, deps.now(), deps.providerKeyTrustMs)) {
    return { ...base, action: 'needs-operator', status: current };
  }
  if (!options.finish) return { ...base, action: 'listed', status: current };
  const outcome = isCompleted(entry) ? await finishRefund(entry, deps) : await finishCharge(entry, deps);
  const after = outcome.kind === 'left-for-reconciler' ? current : statusOf(outcome.payment);
  return { ...base, action: 'finished', status: after };
}

function describe(entry: LedgerEntry): Pick<ReconciledClaim, 'order_id' | 'claim' | 'requested_at'> {
  const claim = isCompleted(entry) ? ('refund' as const) : ('charge' as const);
  const requested_at = isCompleted(entry) ? (entry.refund_requested_at ?? entry.charged_at) : entry.requested_at;
  return { order_id: entry.order_id, claim, requested_at };
}

function statusOf(entry: LedgerEntry | undefined): string {
  if (entry === undefined) return 'none';
  return isCompleted(entry) ? (entry.refund_status ?? entry.payment_status) : entry.payment_status;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export interface Resolution {
  readonly order_id: string;
  readonly finding: ChargeFinding;
  /**
   * `resolved`: this run completed the claim and published its outcome; `already-completed`: the
   * entry was completed before (its outcome is published again, harmless); `refused`: the provider's
   * own answer contradicts the finding, or a paid finding has no transaction id; nothing was written.
   */
  readonly action: 'resolved' | 'already-completed' | 'refused';
  readonly status: string;
  readonly reason?: string;
  /** What the provider's lookup said of the key: its charges, or undefined when it cannot tell. */
  readonly provider_says?: readonly ChargeResult[];
}

export interface ResolveInput {
  readonly orderId: string;
  readonly finding: ChargeFinding;
  /** The provider's transaction id the operator found; needed for `paid` when the lookup cannot tell. */
  readonly transactionId?: string;
  /** The operator's note, kept as the decline reason of `declined` and `none`. */
  readonly note?: string;
}

/**
 * Records an operator's finding for a charge claim billing would not carry out again (needs-operator)
 * and publishes the matching outcome, so the order ends without anyone editing DynamoDB by hand.
 * One conditional completion (only while the entry is `charge_requested`), then the outcome of the
 * entry that holds. The provider's lookup is asked first: a finding it contradicts is refused.
 *
 * `none` (no charge happened) closes the claim as `declined`, and the order ends PAYMENT_DECLINED; it
 * does not re-open the claim to be charged again. Re-opening would ask the provider to charge an
 * order a second time on an operator's reading of it (I9: at most once even after keys expire), and
 * if that reading was wrong the customer pays twice (I1). Closing it can at worst leave a charge the
 * books call declined, which an operator refunds at the provider; the customer may place the order again.
 */
export async function resolveCharge(input: ResolveInput, deps: ChargeDependencies): Promise<Resolution> {
  const provider_says = await deps.provider.lookup(chargeIdempotencyKey(input.orderId));
  const base = { order_id: input.orderId, finding: input.finding, provider_says };
  const refuse = (reason: string): Resolution => ({ ...base, action: 'refused', status: 'unchanged', reason });
  const paid = provider_says?.filter((c) => c.status === 'paid') ?? [];
  if (provider_says !== undefined) {
    if (input.finding !== 'paid' && paid.length > 0) {
      return refuse(
        `the provider reports ${paid.length} paid charge(s) under the key: ${paid.map((c) => c.transaction_id).join(', ')}`,
      );
    }
    if (input.finding === 'paid' && paid.length === 0)
      return refuse('the provider reports no paid charge under the key');
    if (input.finding === 'none' && provider_says.length > 0) {
      return refuse(`the provider reports a ${provider_says[0]!.status} charge under the key`);
    }
  }
  const transactionId =
    input.transactionId ??
    (input.finding === 'paid'
      ? paid.length === 1
        ? paid[0]!.transaction_id
        : undefined
      : input.finding === 'declined'
        ? (provider_says?.find((c) => c.status === 'declined')?.transaction_id ?? `operator-declined:${input.orderId}`)
        : `no-charge:${input.orderId}`);
  if (transactionId === undefined) {
    return refuse('a paid finding needs the provider transaction id (--transaction-id) when the lookup cannot give it');
  }
  const at = deps.now().toISOString();
  const completion: ChargeCompletion = {
    payment_status: input.finding === 'paid' ? 'paid' : 'declined',
    transaction_id: transactionId,
    charged_at: at,
    ...(input.finding === 'paid'
      ? {}
      : {
          decline_reason: input.note ?? (input.finding === 'none' ? 'no_charge_at_provider' : 'declined_at_provider'),
        }),
    resolved_by: 'operator',
    resolution: input.finding,
    resolved_at: at,
  };
  const { kind, payment } = await deps.payments.completeCharge(input.orderId, completion);
  await deps.publisher.publish([chargeOutcome(payment as Payment)]);
  return { ...base, action: kind === 'completed' ? 'resolved' : 'already-completed', status: payment.payment_status };
}
