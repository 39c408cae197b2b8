import { finishCharge, type ChargeDependencies } from './charge-order';
import { isBeyondKeyLifetime } from './claims';
import { isCompleted, type LedgerEntry } from './payment';
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
   * (its dashboard or a search by order id) can tell whether money moved.
   */
  readonly action: 'finished' | 'listed' | 'needs-operator';
  /** The status the entry holds after this run. */
  readonly status: string;
}

/**
 * The reconciler: finds charge and refund claims that no delivery completed (the record was
 * dead-lettered, or its redelivery came after the key lifetime) and finishes or reports them.
 */
export async function reconcileClaims(deps: ChargeDependencies, options: ReconcileOptions): Promise<ReconciledClaim[]> {
  const now = deps.now();
  const open = await deps.payments.openClaims(new Date(now.getTime() - options.olderThanMs).toISOString());
  const report: ReconciledClaim[] = [];
  for (const entry of open) report.push(await reconcile(entry, now, deps, options));
  return report;
}

async function reconcile(
  entry: LedgerEntry,
  now: Date,
  deps: ChargeDependencies,
  options: ReconcileOptions,
): Promise<ReconciledClaim> {
  const claim = isCompleted(entry) ? ('refund' as const) : ('charge' as const);
  const requested_at = isCompleted(entry) ? (entry.refund_requested_at ?? entry.charged_at) : entry.requested_at;
  const current = isCompleted(entry) ? (entry.refund_status ?? entry.payment_status) : entry.payment_status;
  const base = { order_id: entry.order_id, claim, requested_at };
  if (isBeyondKeyLifetime(requested_at, now, deps.providerKeyTrustMs)) {
    return { ...base, action: 'needs-operator', status: current };
  }
  if (!options.finish) return { ...base, action: 'listed', status: current };
  const outcome = isCompleted(entry) ? await finishRefund(entry, deps) : await finishCharge(entry, deps);
  const after = outcome.kind === 'left-for-reconciler' ? current : statusOf(outcome.payment);
  return { ...base, action: 'finished', status: after };
}

function statusOf(entry: LedgerEntry | undefined): string {
  if (entry === undefined) return 'none';
  return isCompleted(entry) ? (entry.refund_status ?? entry.payment_status) : entry.payment_status;
}
