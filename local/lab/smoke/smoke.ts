import { randomUUID } from 'node:crypto';

/**
 * `npm run smoke`: after a deploy (or against a running `npm run local`), one order end to end and
 * the health of every event source mapping, reported as one table. The target (AWS or local) only
 * says how to call the API and how to list the mappings; the checks are the same for both.
 */

/** An HTTP response of the order API. */
export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

/** One mapping as the Lambda API reports it (ListEventSourceMappings). */
export interface MappingHealth {
  readonly uuid: string;
  readonly functionArn: string;
  /** The topic of a Kafka mapping, or the stream ARN. */
  readonly source: string;
  readonly state: string;
  readonly lastProcessingResult: string;
}

export interface SmokeTarget {
  /** What is checked, for the report: `dev (eu-west-1)`, `local`. */
  readonly label: string;
  /** Calls the order API (signed with SigV4 where it needs it). */
  request(method: 'GET' | 'POST', path: string, body?: string, headers?: Record<string, string>): Promise<ApiResponse>;
  /** Every mapping of the stage's functions. */
  mappings(): Promise<MappingHealth[]>;
}

export interface SmokeOptions {
  /** The catalog product to order (it must be active, priced in `currency` and in stock). */
  readonly productId: string;
  readonly currency: string;
  /** How long the order may take to reach a terminal state. */
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface SmokeCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SmokeReport {
  readonly target: string;
  readonly ok: boolean;
  readonly orderId?: string;
  readonly checks: readonly SmokeCheck[];
}

/**
 * The mapping states that mean "polling" and the results that mean "nothing failed". The Lambda API
 * reference lists State as "Creating, Enabling, Enabled, Disabling, Disabled, Updating, or Deleting"
 * and LastProcessingResult only as "The result of the event source mapping's last processing
 * attempt" (https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html), so any
 * other text fails the check and is shown as it came.
 */
export const HEALTHY_STATE = 'Enabled';
export const HEALTHY_RESULTS: readonly string[] = ['OK', 'No records processed'];

export async function runSmoke(target: SmokeTarget, options: SmokeOptions): Promise<SmokeReport> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const checks: SmokeCheck[] = [];
  const order = await placeOrder(target, options);
  checks.push(order.check);
  if (order.orderId !== undefined) {
    checks.push(await followOrder(target, order.orderId, options.timeoutMs, options.pollMs ?? 1_000, sleep, now));
  }
  checks.push(...(await mappingChecks(target)));
  return { target: target.label, ok: checks.every((c) => c.ok), orderId: order.orderId, checks };
}

async function placeOrder(
  target: SmokeTarget,
  options: SmokeOptions,
): Promise<{ check: SmokeCheck; orderId?: string }> {
  const body = JSON.stringify({
    user_id: 'smoke-test',
    items: [{ product_id: options.productId, quantity: 1 }],
    currency: options.currency,
    payment_method: 'credit_card',
  });
  const check = 'POST /orders';
  try {
    const response = await target.request('POST', '/orders', body, {
      'content-type': 'application/json',
      'idempotency-key': `smoke-${randomUUID()}`,
    });
    if (response.status !== 202) {
      return { check: { check, ok: false, detail: `${response.status} ${response.body.slice(0, 300)}` } };
    }
    const orderId = (JSON.parse(response.body) as { order_id?: string }).order_id;
    if (!orderId) return { check: { check, ok: false, detail: `202 without an order_id: ${response.body}` } };
    return { check: { check, ok: true, detail: `202, order ${orderId}` }, orderId };
  } catch (error) {
    return { check: { check, ok: false, detail: (error as Error).message } };
  }
}

async function followOrder(
  target: SmokeTarget,
  orderId: string,
  timeoutMs: number,
  pollMs: number,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
): Promise<SmokeCheck> {
  const check = 'order reaches a terminal state';
  const started = now();
  let last = 'no answer yet';
  for (;;) {
    try {
      const response = await target.request('GET', `/orders/${encodeURIComponent(orderId)}`);
      if (response.status === 200) {
        const view = JSON.parse(response.body) as { status?: string; terminal?: boolean };
        last = view.status ?? 'no status';
        if (view.terminal)
          return { check, ok: true, detail: `${last} after ${((now() - started) / 1000).toFixed(1)} s` };
      } else {
        // 404 until the order-status consumer has written the order: keep polling.
        last = `${response.status} ${response.body.slice(0, 120)}`;
      }
    } catch (error) {
      last = (error as Error).message;
    }
    if (now() - started >= timeoutMs) {
      return { check, ok: false, detail: `still ${last} after ${timeoutMs / 1000} s` };
    }
    await sleep(pollMs);
  }
}

async function mappingChecks(target: SmokeTarget): Promise<SmokeCheck[]> {
  let mappings: MappingHealth[];
  try {
    mappings = await target.mappings();
  } catch (error) {
    return [{ check: 'event source mappings', ok: false, detail: (error as Error).message }];
  }
  if (mappings.length === 0) return [{ check: 'event source mappings', ok: false, detail: 'none found' }];
  return [...mappings]
    .sort(
      (a, b) =>
        functionNameOf(a.functionArn).localeCompare(functionNameOf(b.functionArn)) || a.source.localeCompare(b.source),
    )
    .map((m) => ({
      check: `mapping ${functionNameOf(m.functionArn)} <- ${m.source}`,
      ok: m.state === HEALTHY_STATE && HEALTHY_RESULTS.includes(m.lastProcessingResult),
      detail: `${m.state}; ${m.lastProcessingResult || 'no processing result'}`,
    }));
}

function functionNameOf(arn: string): string {
  return arn.replace(/^.*:function:/, '').replace(/:.*$/, '');
}

/** The report as one table: check, result, detail; and the verdict. */
export function formatSmokeReport(report: SmokeReport): string {
  const rows = report.checks.map((c) => [c.check, c.ok ? 'ok' : 'FAILED', c.detail]);
  const header = ['check', 'result', 'detail'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell)).join('  ');
  const failed = report.checks.filter((c) => !c.ok).length;
  return [
    `Smoke test of ${report.target}`,
    line(header),
    line(widths.map((w, i) => '-'.repeat(i < 2 ? w : Math.min(w, 40)))),
    ...rows.map(line),
    '',
    failed === 0 ? `All ${report.checks.length} checks passed.` : `${failed} of ${report.checks.length} checks FAILED.`,
    '',
  ].join('\n');
}
