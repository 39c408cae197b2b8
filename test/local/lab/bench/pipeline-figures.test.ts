import { itemWritesPerOrder } from '../../../../lambdas/shared/contracts/dynamodb-costs';
import { localLimit, meanItemWritesPerOrder, percentile } from '../../../../local/lab/bench/pipeline-figures';

describe('bench pipeline figures', () => {
  it('GIVEN the orders of a run as they ended WHEN writes per order are counted THEN each counts on its own path and lines', () => {
    const orders = [
      { lines: 1, status: 'SHIPPED' as const },
      { lines: 3, status: 'SHIPPED' as const },
      { lines: 2, status: 'PAYMENT_DECLINED' as const },
      { lines: 2, status: 'REFUNDED' as const },
    ];

    const mean = meanItemWritesPerOrder(orders, 10);

    const expected =
      (itemWritesPerOrder('shipped', 1, 10) +
        itemWritesPerOrder('shipped', 3, 10) +
        itemWritesPerOrder('declined', 2, 10) +
        itemWritesPerOrder('refunded', 2, 10)) /
      4;
    expect(mean).toBeCloseTo(expected, 10);
  });

  it('GIVEN an order that is not terminal WHEN writes per order are counted THEN it fails instead of guessing its path', () => {
    expect(() => meanItemWritesPerOrder([{ lines: 1, status: 'PAID' }], 1)).toThrow(/PAID/);
    expect(() => meanItemWritesPerOrder([], 1)).toThrow(/no finished orders/);
  });

  it('GIVEN a write rate and the writes one order needs WHEN the local limit is taken THEN it is their ratio', () => {
    expect(localLimit(500, 16, 20)).toEqual({
      conditionalWritesPerSecond: 500,
      inFlight: 16,
      itemWritesPerOrder: 20,
      ordersPerSecond: 25,
    });
  });

  it('GIVEN latencies WHEN percentiles are taken THEN they are nearest-rank values of the list', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);

    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(() => percentile([], 50)).toThrow();
  });
});
