import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ANALYTICS_KEYS, minuteOf, PRODUCT_VIEWS_PREFIX } from '../../../lambdas/shared/analytics/analytics-keys';
import { deployedHandler } from '../../support/deployed-handler';
import { statusCounts } from '../../support/events';
import { loadEvent } from '../../support/msk';

const ddb = mockClient(DynamoDBDocumentClient);
const handle = deployedHandler('analyticsApi', () => import('../../../lambdas/analytics-api/handler'));
const call = async (event: APIGatewayProxyEventV2) =>
  (await handle(event)) as APIGatewayProxyStructuredResultV2 & { body: string };

beforeEach(() => ddb.reset());

describe('analytics API handler.ts', () => {
  it('GIVEN api-get-popular-products.json WHEN handled THEN the products viewed in the last 5 minutes come back, most viewed first', async () => {
    const minute = ANALYTICS_KEYS.minute(minuteOf(Date.now()));
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      const keys = input.RequestItems.analytics!.Keys.map((k) => k.pk);
      const items = keys.includes(minute)
        ? [{ pk: minute, views: 5, [`${PRODUCT_VIEWS_PREFIX}abc`]: 2, [`${PRODUCT_VIEWS_PREFIX}def`]: 3 }]
        : keys.map((pk) => ({ pk, views: 10, paid_orders: 1 }));
      return { Responses: { analytics: items } };
    });

    const response = await call(loadEvent<APIGatewayProxyEventV2>('api-get-popular-products.json'));

    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(
      body.products.map((p: { product_id: string; window_views: number }) => [p.product_id, p.window_views]),
    ).toEqual([
      ['def', 3],
      ['abc', 2],
    ]);
    expect(body.products[0].conversion).toBeCloseTo(0.1);
  });

  it('GIVEN window=2h WHEN handled THEN the answer is 400 naming the windows there are', async () => {
    const event = loadEvent<APIGatewayProxyEventV2>('api-get-popular-products.json');
    event.queryStringParameters = { window: '2h' };

    const response = await call(event);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toMatch(/5m, 1h/);
  });

  it('GIVEN the summary WHEN handled THEN it sums the sharded counters (totals, orders by status, emails sent), lists the latest emails from the sent index, and scans nothing', async () => {
    // Counters on a few of their shards: the summary sums them.
    const shards = [
      { pk: ANALYTICS_KEYS.totals(0), clicks: 3, dead_letters: 1 },
      { pk: ANALYTICS_KEYS.totals(3), clicks: 4, given_up_behind: 3 },
      { pk: ANALYTICS_KEYS.operations(0), orders_PLACED: 2, orders_SHIPPED: 1, emails_sent: 1 },
      { pk: ANALYTICS_KEYS.operations(5), orders_PLACED: -1, orders_PAYMENT_DECLINED: 1, emails_sent: 1 },
    ];
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
      const keys = new Set(input.RequestItems.analytics!.Keys.map((k) => k.pk));
      return { Responses: { analytics: shards.filter((item) => keys.has(item.pk)) } };
    });
    ddb.on(QueryCommand, { TableName: 'notifications', IndexName: 'sent', ScanIndexForward: false }).resolves({
      Items: [
        { order_id: 'o-1', change: 'shipped', subject: 'Shipped', sent_at: '2026-11-28T12:05:00Z', message_id: 'm-2' },
        {
          order_id: 'o-1',
          change: 'confirmed',
          subject: 'Confirmed',
          sent_at: '2026-11-28T12:00:00Z',
          message_id: 'm-1',
        },
      ],
    });
    const event = loadEvent<APIGatewayProxyEventV2>('api-get-popular-products.json');
    event.rawPath = '/analytics/summary';

    const body = JSON.parse((await call(event)).body);

    expect(body.orders.by_status).toEqual(statusCounts({ PLACED: 1, SHIPPED: 1, PAYMENT_DECLINED: 1 }));
    expect(body.notifications).toEqual({
      sent: 2,
      latest: [
        { order_id: 'o-1', change: 'shipped', subject: 'Shipped', sent_at: '2026-11-28T12:05:00Z' },
        { order_id: 'o-1', change: 'confirmed', subject: 'Confirmed', sent_at: '2026-11-28T12:00:00Z' },
      ],
    });
    expect(body.totals).toEqual({ clicks: 7, late_clicks: 0, paid_orders: 0, dead_letters: 1, given_up_behind: 3 });
    expect(body.throughput).toHaveLength(60);
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  it('GIVEN api-get-dashboard.json WHEN handled THEN the page is HTML that loads nothing from elsewhere and polls the analytics endpoints', async () => {
    const response = await call(loadEvent<APIGatewayProxyEventV2>('api-get-dashboard.json'));

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8' });
    expect(response.headers!['content-security-policy']).toMatch(/default-src 'none'/);
    for (const path of ['analytics/popular-products', 'analytics/summary', 'analytics/pipeline']) {
      expect(response.body).toContain(`['${path}`);
    }
    expect(response.body).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });
});
