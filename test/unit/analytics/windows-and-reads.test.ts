import { assignWindow } from '../../../lambdas/analytics/windows';
import type { AnalyticsReader, MinuteWindow } from '../../../lambdas/analytics-api/ports';
import { popularProducts, recentProducts } from '../../../lambdas/analytics-api/read-analytics';
import { lastMinutes } from '../../../lambdas/shared/analytics/analytics-keys';

const NOW = new Date('2026-11-28T12:00:30Z');

describe('the late-click rule', () => {
  it.each([
    ['a click of this minute', '2026-11-28T12:00:10Z', { minute: '2026-11-28T12:00', late: false }],
    ['a click 59 minutes old', '2026-11-28T11:01:31Z', { minute: '2026-11-28T11:01', late: false }],
    ['a click just over an hour old', '2026-11-28T11:00:29Z', { minute: '2026-11-28T12:00', late: true }],
    ['a click stamped 10 minutes ahead', '2026-11-28T12:10:30Z', { minute: '2026-11-28T12:00', late: true }],
    [
      'a click stamped 2 minutes ahead (clock skew)',
      '2026-11-28T12:02:30Z',
      { minute: '2026-11-28T12:02', late: false },
    ],
  ])('GIVEN %s WHEN assigned THEN it lands where the rule says', (_case, clickedAt, expected) => {
    expect(assignWindow(new Date(clickedAt), NOW)).toEqual(expected);
  });
});

class FixedReader implements AnalyticsReader {
  constructor(private readonly windows: Record<string, Record<string, number>>) {}
  async minutes(minutes: readonly string[]): Promise<MinuteWindow[]> {
    return minutes.map((minute) => ({
      minute,
      views: 0,
      late: 0,
      paid_orders: 0,
      dead_letters: 0,
      given_up_behind: 0,
      products: this.windows[minute] ?? {},
    }));
  }
  async products(ids: readonly string[]) {
    return ids.map((product_id) => ({ product_id, views: 10, paid_orders: product_id === 'b' ? 2 : 0, units_sold: 0 }));
  }
  async recentProducts() {
    return { a: '2026-11-28T11:00:00Z', b: '2026-11-28T12:00:00Z', c: '2026-11-28T11:30:00Z' };
  }
  async totals() {
    return { clicks: 0, late_clicks: 0, paid_orders: 0, dead_letters: 0, given_up_behind: 0 };
  }
  async hops() {
    return [];
  }
}

describe('analytics reads', () => {
  it('GIVEN views spread over the hour WHEN the 5-minute and 1-hour windows are read THEN each sums exactly its minutes', async () => {
    const minutes = lastMinutes(NOW, 60);
    const reader = new FixedReader({
      [minutes[59]!]: { a: 2, b: 1 },
      [minutes[55]!]: { b: 2 },
      [minutes[10]!]: { c: 9 },
    });

    const five = await popularProducts(reader, '5m', 10, NOW);
    const hour = await popularProducts(reader, '1h', 2, NOW);

    expect(five.products.map((p) => [p.product_id, p.window_views])).toEqual([
      ['b', 3],
      ['a', 2],
    ]);
    expect(five).toMatchObject({ from: '2026-11-28T11:56', to: '2026-11-28T12:00' });
    expect(hour.products.map((p) => [p.product_id, p.window_views])).toEqual([
      ['c', 9],
      ['b', 3],
    ]);
    expect(hour.products[1]!.conversion).toBeCloseTo(0.2);
  });

  it('GIVEN a user who viewed three products WHEN the recent ones are read THEN the newest come first, up to the limit', async () => {
    const recent = await recentProducts(new FixedReader({}), 'u-1', 2);
    expect(recent.products.map((p) => p.product_id)).toEqual(['b', 'c']);
  });
});
