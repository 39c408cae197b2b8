import { lastMinutes } from '../shared/analytics/analytics-keys';
import type { AnalyticsReader, MinuteWindow, OperationsReader, ProductTotals } from './ports';

export const WINDOWS = { '5m': 5, '1h': 60 } as const;
export type WindowName = keyof typeof WINDOWS;
export const MAX_LIMIT = 50;
/** The sent emails the summary lists. */
export const LATEST_EMAILS = 20;

export interface PopularProduct extends ProductTotals {
  /** Views in the window. */
  readonly window_views: number;
  /** Paid orders per view, all time: the product's conversion. */
  readonly conversion: number;
}

/**
 * The most viewed products over the last 5 or 60 minutes, the current minute included: the sliding
 * window is the sum of the tumbling minutes it covers. Ties go to the smaller product id.
 */
export async function popularProducts(
  reader: AnalyticsReader,
  window: WindowName,
  limit: number,
  now: Date,
): Promise<{ window: WindowName; from: string; to: string; products: PopularProduct[] }> {
  const minutes = lastMinutes(now, WINDOWS[window]);
  const views = new Map<string, number>();
  for (const w of await reader.minutes(minutes)) {
    for (const [product, n] of Object.entries(w.products)) views.set(product, (views.get(product) ?? 0) + n);
  }
  const top = [...views]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, limit)
    .map(([product]) => product);
  const totals = new Map((await reader.products(top)).map((p) => [p.product_id, p]));
  return {
    window,
    from: minutes[0]!,
    to: minutes[minutes.length - 1]!,
    products: top.map((product_id) => {
      const t = totals.get(product_id) ?? { product_id, views: 0, paid_orders: 0, units_sold: 0 };
      return { ...t, window_views: views.get(product_id)!, conversion: t.views === 0 ? 0 : t.paid_orders / t.views };
    }),
  };
}

/** A user's most recently viewed distinct products, newest first. */
export async function recentProducts(
  reader: AnalyticsReader,
  userId: string,
  limit: number,
): Promise<{ user_id: string; products: { product_id: string; viewed_at: string }[] }> {
  const recent = await reader.recentProducts(userId);
  const products = Object.entries(recent)
    .sort(([a, x], [b, y]) => y.localeCompare(x) || a.localeCompare(b))
    .slice(0, limit)
    .map(([product_id, viewed_at]) => ({ product_id, viewed_at }));
  return { user_id: userId, products };
}

/**
 * What the dashboard shows besides the products: the all-time totals, the last hour minute by
 * minute (views, late clicks, paid orders, dead letters and records given up behind one), orders by status, and the emails sent
 * with the latest of them.
 */
export async function summary(analytics: AnalyticsReader, operations: OperationsReader, now: Date) {
  const [totals, minutes, orders, notifications] = await Promise.all([
    analytics.totals(),
    analytics.minutes(lastMinutes(now, WINDOWS['1h'])),
    operations.ordersByStatus(),
    operations.notificationsSent(LATEST_EMAILS),
  ]);
  const perMinute = ({ minute, views, late, paid_orders, dead_letters, given_up_behind }: MinuteWindow) => ({
    minute,
    views,
    late,
    paid_orders,
    dead_letters,
    given_up_behind,
  });
  return {
    generated_at: now.toISOString(),
    totals,
    throughput: minutes.map(perMinute),
    orders: { by_status: orders },
    notifications,
  };
}

/** The minutes the per-hop figures span: recent enough to follow a run, long enough for a p99. */
export const HOPS_MINUTES = 5;

/**
 * Per-hop p50/p99 and the lag of every Kafka mapping over the last HOPS_MINUTES, as the consumers
 * recorded them (shared/analytics/hop-timings.ts): one BatchGetItem. Times are bucket bounds (at
 * most that many ms). `last_lag_ms` is the age of the oldest record of the mapping's latest
 * invocation; a mapping that stopped invoking keeps its last figure, so `last_invocation_at` says
 * how fresh it is. Offset lag in records is CloudWatch's OffsetLag (docs/design.md, "Latency on the dashboard").
 */
export async function pipelineHops(analytics: AnalyticsReader, now: Date) {
  const mappings = await analytics.hops(lastMinutes(now, HOPS_MINUTES));
  const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    generated_at: now.toISOString(),
    window_minutes: HOPS_MINUTES,
    mappings: mappings.map((m) => ({
      mapping: m.mapping,
      records: m.records,
      invocations: m.invocations,
      wait_p50_ms: m.waitP50Ms ?? null,
      wait_p99_ms: m.waitP99Ms ?? null,
      invoke_p50_ms: m.invokeP50Ms ?? null,
      invoke_p99_ms: m.invokeP99Ms ?? null,
      max_lag_ms: m.maxLagMs ?? null,
      last_lag_ms: m.lastLagMs ?? null,
      last_invocation_at: at(m.lastInvocationAt),
    })),
  };
}
