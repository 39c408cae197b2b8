import { ClickBatchSchema } from '../../../../lambdas/click-api/accept-clicks';
import { generateClicks } from '../../../../local/lab/demo/click-generator';
import { generateDemoPlan } from '../../../../local/lab/demo/order-generator';

const asRequests = (clicks: ReturnType<typeof generateClicks>) =>
  clicks.map(({ secondsBeforeSend, ...click }) => ({
    ...click,
    timestamp: new Date(Date.UTC(2026, 0, 1) - secondsBeforeSend * 1_000).toISOString(),
  }));

describe('demo click generator', () => {
  const plan = generateDemoPlan(100, 'clicks');

  it('GIVEN the same seed and orders WHEN clicks are generated THEN they are identical, and another seed differs', () => {
    expect(generateClicks(300, 's1', plan.orders)).toEqual(generateClicks(300, 's1', plan.orders));
    expect(generateClicks(300, 's1', plan.orders)).not.toEqual(generateClicks(300, 's2', plan.orders));
  });

  it('GIVEN N clicks WHEN generated THEN there are exactly N, with distinct click ids, each a valid POST /clicks body', () => {
    for (const count of [0, 1, 7, 1_000]) {
      const clicks = generateClicks(count, 'n', plan.orders);
      expect(clicks).toHaveLength(count);
      expect(new Set(clicks.map((c) => c.click_id)).size).toBe(count);
      for (let start = 0; start < count; start += 500) {
        expect(ClickBatchSchema.safeParse(asRequests(clicks.slice(start, start + 500))).success).toBe(true);
      }
    }
  });

  it('GIVEN 5,000 clicks WHEN counted per product THEN popularity is skewed: the top product gets several times the median', () => {
    const views = new Map<string, number>();
    for (const c of generateClicks(5_000, 'skew')) views.set(c.product_id, (views.get(c.product_id) ?? 0) + 1);
    const counts = [...views.values()].sort((a, b) => b - a);

    expect(counts.length).toBeGreaterThan(20);
    expect(counts[0]!).toBeGreaterThan(4 * counts[Math.floor(counts.length / 2)]!);
  });

  it('GIVEN orders WHEN clicks are generated THEN customers view what they buy earlier in a session, pages of a session in time order', () => {
    const clicks = generateClicks(2_000, 'buyers', plan.orders);
    const bought = new Set(
      plan.orders.flatMap((o) => o.request.items.map((i) => `${o.request.user_id}/${i.product_id}`)),
    );
    const viewedBought = clicks.filter((c) => bought.has(`${c.user_id}/${c.product_id}`));
    expect(viewedBought.length).toBeGreaterThan(100);

    const sessions = new Map<string, number[]>();
    for (const c of clicks) sessions.set(c.session_id, [...(sessions.get(c.session_id) ?? []), c.secondsBeforeSend]);
    for (const ages of sessions.values()) expect(ages).toEqual([...ages].sort((a, b) => b - a));
  });
});
