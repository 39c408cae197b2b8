import { minuteOf } from '../../../lambdas/shared/analytics/analytics-keys';
import { TOPICS } from '../../../lambdas/shared/contracts/topics';
import { ORDER_STATUSES } from '../../../lambdas/shared/orders/order-status';
import type { SnapshotView } from './invariants';

/**
 * What analytics made of a run's clicks, checked against the `clicks` topic itself: the top
 * products the analytics API serves must be the ones recounted here from the topic's records
 * (distinct event ids in the API's window), and every distinct click must be counted once (I7).
 */
export interface AnalyticsReport {
  /** Clicks the click API answered 202 for (clicks of this run's generator). */
  readonly clicksAccepted?: number;
  /** Distinct clicks (by event id) on the topic. */
  readonly clicksProduced: number;
  /** Records on the topic beyond the first of their event id (producer or client retries). */
  readonly duplicates: number;
  /** Clicks counted by analytics, late ones included (GET /analytics/summary). */
  readonly clicksCounted: number;
  readonly late: number;
  /** The API's most viewed products over the last hour. */
  readonly topProducts: readonly { readonly product_id: string; readonly views: number }[];
  readonly topProductsMatchTopic: boolean;
  /** The same list recounted from the topic, when it differs. */
  readonly topProductsFromTopic?: readonly { readonly product_id: string; readonly views: number }[];
  /**
   * The summary's counters (orders by status, emails sent) against the tables themselves: the
   * statuses derived from the order items, the notification records that are `sent`.
   */
  readonly summaryCounters: {
    readonly matchTables: boolean;
    readonly byStatus: Readonly<Record<string, number>>;
    readonly sent: number;
    /** The tables' figures, when they differ. */
    readonly fromTables?: { readonly byStatus: Readonly<Record<string, number>>; readonly sent: number };
  };
}

/** The parts of the analytics API's answers the report reads. */
export interface AnalyticsApiView {
  readonly popular: {
    readonly from: string;
    readonly to: string;
    readonly products: readonly { readonly product_id: string; readonly window_views: number }[];
  };
  readonly totals: { readonly clicks: number; readonly late_clicks: number };
  readonly orders: { readonly by_status: Readonly<Record<string, number>> };
  readonly notifications: { readonly sent: number };
}

export const TOP_PRODUCTS = 10;

export function analyticsReport(view: SnapshotView, api: AnalyticsApiView, clicksAccepted?: number): AnalyticsReport {
  const records = view.events(TOPICS.clicks.name);
  const distinct = view.distinctEvents(TOPICS.clicks.name);
  const views = new Map<string, number>();
  for (const click of distinct) {
    const minute = minuteOf(new Date(String(click.timestamp)));
    if (minute < api.popular.from || minute > api.popular.to) continue;
    const product = String(click.product_id);
    views.set(product, (views.get(product) ?? 0) + 1);
  }
  // The API's order: most views first, ties to the smaller product id.
  const fromTopic = [...views]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, TOP_PRODUCTS)
    .map(([product_id, n]) => ({ product_id, views: n }));
  const topProducts = api.popular.products.map((p) => ({ product_id: p.product_id, views: p.window_views }));
  const matches = JSON.stringify(fromTopic) === JSON.stringify(topProducts);
  const byStatus = Object.fromEntries(ORDER_STATUSES.map((status) => [status, 0]));
  for (const order of view.snapshot.tables.orders) byStatus[view.status(order)]! += 1;
  const sent = view.snapshot.tables.notifications.filter((n) => n.status === 'sent').length;
  const countersMatch =
    sent === api.notifications.sent && ORDER_STATUSES.every((s) => byStatus[s] === (api.orders.by_status[s] ?? 0));
  return {
    ...(clicksAccepted === undefined ? {} : { clicksAccepted }),
    clicksProduced: distinct.length,
    duplicates: records.length - distinct.length,
    clicksCounted: api.totals.clicks,
    late: api.totals.late_clicks,
    topProducts,
    topProductsMatchTopic: matches,
    ...(matches ? {} : { topProductsFromTopic: fromTopic }),
    summaryCounters: {
      matchTables: countersMatch,
      byStatus: api.orders.by_status,
      sent: api.notifications.sent,
      ...(countersMatch ? {} : { fromTables: { byStatus, sent } }),
    },
  };
}

/**
 * What makes a run fail: a click counted twice or never, a top list the topic disagrees with, or
 * the summary's orders by status or emails sent differing from the tables.
 */
export function analyticsProblems(report: AnalyticsReport, { existingBroker }: { existingBroker: boolean }): string[] {
  const problems: string[] = [];
  // On an existing broker the analytics totals include earlier runs' clicks.
  if (!existingBroker && report.clicksCounted !== report.clicksProduced) {
    problems.push(`analytics counted ${report.clicksCounted} clicks, the topic holds ${report.clicksProduced}`);
  }
  if (report.clicksAccepted !== undefined && report.clicksProduced < report.clicksAccepted) {
    problems.push(`${report.clicksAccepted} clicks accepted, only ${report.clicksProduced} on the topic`);
  }
  if (!report.topProductsMatchTopic) problems.push('the top products of the analytics API differ from the topic');
  const counters = report.summaryCounters;
  if (!counters.matchTables) {
    problems.push(
      `the summary's counters (${JSON.stringify(counters.byStatus)}, ${counters.sent} sent) differ from the tables ` +
        `(${JSON.stringify(counters.fromTables?.byStatus)}, ${counters.fromTables?.sent} sent)`,
    );
  }
  return problems;
}
