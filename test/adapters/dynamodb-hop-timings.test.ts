import { DynamoDbAnalyticsReader } from '../../lambdas/analytics-api/adapters/dynamodb-analytics-reader';
import { lastMinutes } from '../../lambdas/shared/analytics/analytics-keys';
import { DynamoDbHopTimings } from '../../lambdas/shared/analytics/dynamodb-hop-timings';
import { withOwnAnalyticsTable } from '../support/adapters-env';

jest.setTimeout(30_000);
/** An analytics table of this file's own: the hops items are per minute, and other runs write them too. */
const { client, analyticsTable } = withOwnAnalyticsTable('hops');

describe('per-hop timings on DynamoDB Local (the consumers write, the analytics API reads)', () => {
  it('GIVEN invocations of two mappings on several partitions WHEN the API reads the last minutes THEN each mapping shows its records, p50/p99 and its latest lag', async () => {
    const now = Date.now();
    const timings = new DynamoDbHopTimings(client, analyticsTable());
    await Promise.all([
      ...[0, 1, 2, 3, 4, 5].map((p) =>
        timings.record(
          {
            mapping: 'BillingOrders',
            startedAt: now - 60_000 + p,
            endedAt: now - 59_900,
            recordTimestamps: [now - 60_040],
          },
          `orders-${p}`,
        ),
      ),
      timings.record(
        { mapping: 'ShippingStock', startedAt: now, endedAt: now + 30, recordTimestamps: [now - 400, now - 20] },
        'inventory_outcome-0',
      ),
    ]);

    const hops = await new DynamoDbAnalyticsReader(client, analyticsTable()).hops(lastMinutes(new Date(now), 5));

    expect(hops).toEqual([
      {
        mapping: 'BillingOrders',
        records: 6,
        invocations: 6,
        waitP50Ms: 50,
        waitP99Ms: 50,
        invokeP50Ms: 100,
        invokeP99Ms: 100,
        maxLagMs: 50,
        lastInvocationAt: now - 60_000 + 5,
        lastLagMs: 45,
      },
      {
        mapping: 'ShippingStock',
        records: 2,
        invocations: 1,
        waitP50Ms: 20,
        waitP99Ms: 500,
        invokeP50Ms: 35,
        invokeP99Ms: 35,
        maxLagMs: 500,
        lastInvocationAt: now,
        lastLagMs: 400,
      },
    ]);
  });
});
