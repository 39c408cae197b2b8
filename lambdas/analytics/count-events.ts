import type { BillingOutcome, Click } from '../shared/contracts/events';
import { minuteOf } from '../shared/analytics/analytics-keys';
import type { AnalyticsStore, ClickCount, CountResult } from './ports';
import { assignWindow } from './windows';

/** A click's count result, with the count it was made as (its window, and whether it came late). */
export type CountClickResult = CountResult & { readonly count: ClickCount };

/** Counts a click once, in its window by the late-click rule. */
export async function countClick(click: Click, store: AnalyticsStore, now: Date): Promise<CountClickResult> {
  const { minute, late } = assignWindow(new Date(click.timestamp), now);
  const count: ClickCount = {
    event_id: click.event_id,
    user_id: click.user_id,
    product_id: click.product_id,
    clicked_at: click.timestamp,
    minute,
    late,
  };
  return { ...(await store.countClick(count)), count };
}

/** Counts a paid order's lines once towards their products' conversion, in the minute it was paid. */
export async function countPaidOrder(outcome: BillingOutcome, store: AnalyticsStore): Promise<CountResult> {
  const lines = new Map<string, number>();
  for (const item of outcome.items ?? []) lines.set(item.product_id, (lines.get(item.product_id) ?? 0) + item.quantity);
  return store.countPaidOrder({
    order_id: outcome.order_id,
    minute: minuteOf(new Date(outcome.timestamp)),
    lines: [...lines].map(([product_id, quantity]) => ({ product_id, quantity })),
  });
}
