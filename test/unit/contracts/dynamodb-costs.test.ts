import { DYNAMODB_COSTS, itemWritesPerOrder, stepsOfOrder } from '../../../lambdas/shared/contracts/dynamodb-costs';

describe('DynamoDB costs per order', () => {
  it('GIVEN a shipped order of one line WHEN its item writes are counted THEN every step of its path is in the sum', () => {
    // API 3 (with the PLACED counter), relay 1, charge 2, analytics 3+1, shipping 2, status 4 and its
    // three changes 3 x 2, reservation 1+1, emails 3 + 4 (each with the emails-sent counter).
    expect(itemWritesPerOrder('shipped', 1, 1)).toBe(3 + 1 + 2 + 4 + 2 + 4 + 6 + 2 + 7);
  });

  it('GIVEN more lines WHEN counted THEN the reservation and the analytics counters grow by one write per line each', () => {
    expect(itemWritesPerOrder('shipped', 3, 1) - itemWritesPerOrder('shipped', 1, 1)).toBe(4);
  });

  it('GIVEN the three paths WHEN compared THEN a declined order costs least and a refunded one most', () => {
    const [declined, shipped, refunded] = (['declined', 'shipped', 'refunded'] as const).map((p) =>
      itemWritesPerOrder(p, 2, 1),
    );
    expect(declined).toBeLessThan(shipped!);
    expect(shipped).toBeLessThan(refunded!);
  });

  it('GIVEN a relayed batch WHEN its round trips are shared THEN each event carries 1 / batch of the one mark request', () => {
    expect(DYNAMODB_COSTS.outboxRelay(50)).toEqual({ requests: 1 / 50, itemWrites: 1 });
    const requests = (batch: number) => stepsOfOrder('shipped', 1, batch).reduce((sum, s) => sum + s.requests, 0);
    expect(requests(1) - requests(50)).toBeCloseTo(1 - 1 / 50, 10);
  });
});
