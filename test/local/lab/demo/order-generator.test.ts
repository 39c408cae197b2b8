import fc from 'fast-check';
import { PlaceOrderRequestSchema } from '../../../../lambdas/order-api/place-order';
import { generateDemoPlan, LIMITED_EDITION_UNITS } from '../../../../local/lab/demo/order-generator';

const cents = (items: readonly { quantity: number; unit_price: number }[]) =>
  items.reduce((sum, i) => sum + Math.round(i.unit_price * 100) * i.quantity, 0);

describe('demo order generator', () => {
  it('GIVEN the same seed WHEN plans are generated THEN they are identical', () => {
    expect(generateDemoPlan(50, 's1')).toEqual(generateDemoPlan(50, 's1'));
    expect(generateDemoPlan(50, 's1')).not.toEqual(generateDemoPlan(50, 's2'));
  });

  it('GIVEN 200 orders WHEN generated THEN the mix has paid, declined and out-of-stock orders, each a valid POST body', () => {
    const plan = generateDemoPlan(200, 'mix');

    const planned = new Set(plan.orders.map((o) => o.planned));
    expect([...planned].sort()).toEqual(['declined', 'out_of_stock', 'paid']);
    const invalid = plan.orders.filter((o) => !PlaceOrderRequestSchema.safeParse(o.request).success);
    expect(invalid).toEqual([]);
    expect(new Set(plan.orders.map((o) => o.idempotencyKey)).size).toBe(200);
  });

  it('GIVEN any seed WHEN orders are generated THEN only planned declines use a declined card or .13 cents', () => {
    fc.assert(
      fc.property(fc.string(), (seed) => {
        for (const { planned, request } of generateDemoPlan(40, seed).orders) {
          const declines = request.payment_method === 'declined_card' || cents(request.items) % 100 === 13;
          expect(declines).toBe(planned === 'declined');
        }
      }),
      { numRuns: 50 },
    );
  });

  it('GIVEN a plan WHEN its stock is compared with its orders THEN only the scarce products can run out', () => {
    const plan = generateDemoPlan(300, 'stock');
    const stock = new Map(plan.stock.map((s) => [s.product_id, s.quantity]));
    const demand = new Map<string, number>();
    for (const { planned, request } of plan.orders) {
      if (planned === 'declined') continue;
      for (const item of request.items) demand.set(item.product_id, (demand.get(item.product_id) ?? 0) + item.quantity);
    }

    const short = [...demand].filter(([product, units]) => (stock.get(product) ?? 0) < units).map(([p]) => p);
    expect(short.sort()).toEqual(['discontinued', 'limited-edition']);
    expect(stock.get('limited-edition')).toBe(LIMITED_EDITION_UNITS);
  });
});
