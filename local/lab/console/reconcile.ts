/**
 * `npm run reconcile` (bin/reconcile.ts): its options, its run over the ledger, and its output, apart
 * from the process so that tests run it against DynamoDB Local (docs/design.md, "Reconciler").
 */
import type { ChargeDependencies } from '../../../lambdas/billing/charge-order';
import { CHARGE_FINDINGS, type ChargeFinding } from '../../../lambdas/billing/payment';
import type { BillingProvider } from '../../../lambdas/billing/provider';
import {
  reconcileClaims,
  resolveCharge,
  type ReconciledClaim,
  type Resolution,
} from '../../../lambdas/billing/reconcile-claims';
import type { EventPublisher, PaymentStore } from '../../../lambdas/billing/ports';
import { localTableName } from '../app-bindings';
import { hostPort, parseCommandLine, UsageError } from '../cli';

export const RECONCILE_USAGE = `Usage: npm run reconcile -- --dynamodb URL [options]

  --dynamodb URL        DynamoDB Local's endpoint, e.g. http://127.0.0.1:8000
  --table NAME          the payments table (default: ${localTableName('payments')})
  --older-than MINUTES  claims requested longer ago than this (default: 15)
  --finish              carry out the claims still inside the provider's key lifetime; needs --kafka,
                        and a provider that says how long it keeps keys
  --resolve ORDER_ID paid|declined|none
                        record what an operator found at the provider for a claim left to an
                        operator, and publish the outcome (none: no charge happened; the claim
                        closes as declined and the order ends PAYMENT_DECLINED); needs --kafka
  --transaction-id ID   with --resolve paid: the provider's transaction id, when its lookup cannot tell
  --note TEXT           with --resolve declined|none: the reason kept in the ledger
  --kafka HOST:PORT     the broker the outcomes are published to (plaintext)
  --json                one JSON document on stdout instead of a line per claim
  --help                this text

The provider and its key trust window are billing's own (SIMULATED_PROVIDER_* variables, as set on
billing's function). Exit code 0, or 1 when a claim needs an operator, failed, or a resolution was refused.`;

export interface ReconcileCliOptions {
  readonly dynamodb: string;
  readonly table: string;
  readonly olderThanMinutes: number;
  readonly finish: boolean;
  readonly resolve?: { readonly orderId: string; readonly finding: ChargeFinding };
  readonly transactionId?: string;
  readonly note?: string;
  readonly kafka?: string;
  readonly json: boolean;
}

export function parseReconcileArgs(argv: readonly string[]): ReconcileCliOptions {
  const { values, positionals } = parseCommandLine(argv, {
    dynamodb: { type: 'string' },
    table: { type: 'string', default: localTableName('payments') },
    'older-than': { type: 'string', default: '15' },
    finish: { type: 'boolean', default: false },
    resolve: { type: 'string' },
    'transaction-id': { type: 'string' },
    note: { type: 'string' },
    kafka: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!values.dynamodb) throw new UsageError('Give --dynamodb.');
  const olderThanMinutes = Number(values['older-than']);
  if (!Number.isFinite(olderThanMinutes) || olderThanMinutes < 0) {
    throw new UsageError(`--older-than must be a number of minutes, got "${values['older-than']}"`);
  }
  const kafka = hostPort('kafka', values.kafka);
  let resolve: ReconcileCliOptions['resolve'];
  if (values.resolve !== undefined) {
    const finding = positionals[0] as ChargeFinding | undefined;
    if (positionals.length !== 1 || !CHARGE_FINDINGS.includes(finding!)) {
      throw new UsageError(`--resolve ORDER_ID takes one finding: ${CHARGE_FINDINGS.join('|')}`);
    }
    if (values.finish) throw new UsageError('--resolve settles one claim; it does not go with --finish.');
    resolve = { orderId: values.resolve, finding: finding! };
  } else if (positionals.length > 0) {
    throw new UsageError(`unexpected argument "${positionals[0]}"`);
  }
  if ((values.finish || resolve) && !kafka)
    throw new UsageError('--finish and --resolve publish outcomes: give --kafka.');
  return {
    dynamodb: values.dynamodb,
    table: values.table,
    olderThanMinutes,
    finish: values.finish,
    resolve,
    transactionId: values['transaction-id'],
    note: values.note,
    kafka,
    json: values.json,
  };
}

export interface ReconcileCliDependencies {
  readonly payments: PaymentStore;
  /** billingPaymentProvider(billing's configuration): the provider billing calls, and its trust window. */
  readonly billing: BillingProvider;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export type ReconcileCliResult =
  | { readonly mode: 'claims'; readonly claims: readonly ReconciledClaim[]; readonly exitCode: number }
  | { readonly mode: 'resolve'; readonly resolution: Resolution; readonly exitCode: number };

/**
 * Lists, finishes (--finish) or resolves (--resolve) claims with billing's provider and trust window.
 * --finish is refused outright when the provider cannot say how long it keeps keys: the window would
 * be a guess, and a guess too long charges a customer twice.
 */
export async function runReconcile(
  options: ReconcileCliOptions,
  deps: ReconcileCliDependencies,
): Promise<ReconcileCliResult> {
  const charge: ChargeDependencies = {
    payments: deps.payments,
    provider: deps.billing.provider,
    publisher: deps.publisher,
    now: deps.now,
    providerKeyTrustMs: deps.billing.providerKeyTrustMs,
  };
  if (options.resolve) {
    const resolution = await resolveCharge(
      { ...options.resolve, transactionId: options.transactionId, note: options.note },
      charge,
    );
    return { mode: 'resolve', resolution, exitCode: resolution.action === 'refused' ? 1 : 0 };
  }
  if (options.finish && deps.billing.keyLifetimeMs === undefined) {
    throw new UsageError(
      "--finish needs to know how long the payment provider keeps idempotency keys, and billing's provider does not say: list the claims and settle them with --resolve",
    );
  }
  const claims = await reconcileClaims(charge, {
    olderThanMs: options.olderThanMinutes * 60_000,
    finish: options.finish,
  });
  const bad = claims.some((c) => c.action === 'needs-operator' || c.action === 'failed');
  return { mode: 'claims', claims, exitCode: bad ? 1 : 0 };
}

/** The result for a person: a line per claim with its reason, and a count. */
export function formatReconcile(result: ReconcileCliResult, olderThanMinutes: number): string {
  if (result.mode === 'resolve') {
    const r = result.resolution;
    const provider = r.provider_says === undefined ? 'cannot tell' : JSON.stringify(r.provider_says);
    return `${r.order_id} ${r.finding}: ${r.action}, status ${r.status}${r.reason ? ` (${r.reason})` : ''}; provider lookup: ${provider}\n`;
  }
  const lines = result.claims.map(
    (c) =>
      `${c.order_id} ${c.claim} requested ${c.requested_at}: ${c.action}, status ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
  );
  const count = (action: ReconciledClaim['action']) => result.claims.filter((c) => c.action === action).length;
  lines.push(
    `${result.claims.length} open claim(s) older than ${olderThanMinutes} min: ${count('finished')} finished, ` +
      `${count('listed')} listed, ${count('needs-operator')} need an operator, ${count('failed')} failed`,
  );
  return `${lines.join('\n')}\n`;
}
