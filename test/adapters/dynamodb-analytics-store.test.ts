import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAnalyticsStore } from '../../lambdas/analytics/adapters/dynamodb-analytics-store';
import type { ClickCount } from '../../lambdas/analytics/ports';
import { DynamoDbAnalyticsReader } from '../../lambdas/analytics-api/adapters/dynamodb-analytics-reader';
import { ANALYTICS_KEYS, counterShards, minuteOf } from '../../lambdas/shared/analytics/analytics-keys';
import { ANALYTICS_COUNTER_SHARDS } from '../../lambdas/shared/contracts/tables';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';

jest.setTimeout(60_000);
const client = localDocumentClient();
afterAll(() => client.destroy());

const analytics = table('analytics');
/**
 * A minute no other test writes (the table is shared by the test files, which run in parallel):
 * one of the 26 million of the 22nd century, far from any TTL.
 */
const uniqueMinute = () =>
  minuteOf(Date.parse('2100-01-01T00:00Z') + Math.floor(Math.random() * 50 * 525_600) * 60_000);

const click = (minute: string, product: string): ClickCount => ({
  event_id: uniqueId('click'),
  user_id: uniqueId('user'),
  product_id: product,
  clicked_at: '1999-01-01T00:00:00.000Z',
  minute,
  late: false,
});

/** Runs every item with `concurrency` in flight, as one invocation of the consumer does. */
async function concurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  each: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        results.push(await each(item));
      }
    }),
  );
  return results;
}

describe('DynamoDbAnalyticsStore and DynamoDbAnalyticsReader on DynamoDB Local: sharded counters', () => {
  it('GIVEN 48 clicks each delivered twice, 48 in flight WHEN counted THEN each counts once, spread over the shards, and the reader sums the shards to the truth', async () => {
    const store = new DynamoDbAnalyticsStore(client, analytics);
    const reader = new DynamoDbAnalyticsReader(client, analytics);
    const minute = uniqueMinute();
    const products = [uniqueId('p'), uniqueId('p'), uniqueId('p')];
    const clicks = Array.from({ length: 48 }, (_, i) => click(minute, products[i % 3]!));
    const totalsBefore = await reader.totals();

    const results = await concurrently([...clicks, ...clicks], 48, (c) => store.countClick(c));

    expect(results.filter((r) => r.kind === 'counted')).toHaveLength(48);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(48);
    const [window] = await reader.minutes([minute]);
    expect(window).toMatchObject({ views: 48, products: Object.fromEntries(products.map((p) => [p, 16])) });
    // The totals other test files write as well only grow: at least these 48, each once.
    expect((await reader.totals()).clicks - totalsBefore.clicks).toBeGreaterThanOrEqual(48);
    // Sharded: the window lies on several items, no one of which holds it all.
    const keys = counterShards((shard) => ANALYTICS_KEYS.minute(minute, shard), ANALYTICS_COUNTER_SHARDS);
    const { Responses } = await client.send(
      new BatchGetCommand({ RequestItems: { [analytics]: { Keys: keys.map((pk) => ({ pk })) } } }),
    );
    const shardViews = (Responses?.[analytics] ?? []).map((item) => item.views as number);
    expect(shardViews.length).toBeGreaterThan(1);
    expect(Math.max(...shardViews)).toBeLessThan(48);
    expect(shardViews.reduce((a, b) => a + b, 0)).toBe(48);
  });

  it('GIVEN a paid order and a dead letter delivered twice WHEN counted THEN each moves the summed window once', async () => {
    const store = new DynamoDbAnalyticsStore(client, analytics);
    const reader = new DynamoDbAnalyticsReader(client, analytics);
    const minute = uniqueMinute();
    const order = { order_id: uniqueId('o'), minute, lines: [{ product_id: uniqueId('p'), quantity: 2 }] };
    const deadLetter = { id: uniqueId('dl'), minute };

    expect(await store.countPaidOrder(order)).toEqual({ kind: 'counted' });
    expect(await store.countPaidOrder(order)).toEqual({ kind: 'duplicate' });
    expect(await store.countDeadLetter(deadLetter)).toEqual({ kind: 'counted' });
    expect(await store.countDeadLetter(deadLetter)).toEqual({ kind: 'duplicate' });

    const [window] = await reader.minutes([minute]);
    expect(window).toMatchObject({ paid_orders: 1, dead_letters: 1, views: 0 });
    expect(await reader.products([order.lines[0]!.product_id])).toEqual([
      { product_id: order.lines[0]!.product_id, views: 0, paid_orders: 1, units_sold: 2 },
    ]);
  });

  it('GIVEN a window written before sharding (its unsharded key) and clicks counted since WHEN read THEN both count', async () => {
    const minute = uniqueMinute();
    await client.send(new PutCommand({ TableName: analytics, Item: { pk: `minute#${minute}`, views: 5, late: 1 } }));
    const store = new DynamoDbAnalyticsStore(client, analytics);

    await concurrently(
      Array.from({ length: 10 }, () => click(minute, uniqueId('p'))),
      10,
      (c) => store.countClick(c),
    );

    const [window] = await new DynamoDbAnalyticsReader(client, analytics).minutes([minute]);
    expect(window).toMatchObject({ views: 15, late: 1 });
  });
});
