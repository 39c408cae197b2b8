import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DynamoDbOrderRepository } from '../../lambdas/order-api/adapters/dynamodb-order-repository';
import { DynamoDbProductCatalog } from '../../lambdas/order-api/adapters/dynamodb-product-catalog';
import { createOrderApi } from '../../lambdas/order-api/order-api';
import { newId } from '../../lambdas/shared/ids';
import { loadEvent } from '../support/msk';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';

/**
 * The order API on its real adapters and DynamoDB Local, for what only the stored order can decide:
 * a retry whose first response was lost is answered as the order it replays, whatever the catalog
 * says now (the order is stored and will be charged).
 */
const client = localDocumentClient();
const tables = { ordersTable: table('orders'), outboxTable: table('outbox'), analyticsTable: table('analytics') };
const api = createOrderApi({
  orders: new DynamoDbOrderRepository(client, tables),
  catalog: new DynamoDbProductCatalog(client, table('catalog')),
  now: () => new Date(),
  newId,
});
afterAll(() => client.destroy());

async function sell(productId: string, price: number, active = true) {
  await client.send(
    new PutCommand({ TableName: table('catalog'), Item: { product_id: productId, active, prices: { USD: price } } }),
  );
}

/** A first request whose response the client never saw, and what it needs to retry it. */
async function placedWithLostResponse() {
  const product = uniqueId('abc');
  await sell(product, 49.5);
  const key = uniqueId('checkout');
  const body = {
    user_id: uniqueId('user'),
    items: [{ product_id: product, quantity: 2 }],
    currency: 'USD',
    payment_method: 'credit_card',
  };
  const first = await post(body, key);
  expect(first.statusCode).toBe(202);
  return { product, key, body, orderId: first.json.order_id as string };
}

async function post(body: unknown, key: string) {
  const request = loadEvent<APIGatewayProxyEventV2>('api-post-order.json');
  request.headers['idempotency-key'] = key;
  request.body = JSON.stringify(body);
  const response = (await api(request)) as APIGatewayProxyStructuredResultV2 & { body: string };
  return { ...response, json: JSON.parse(response.body) };
}

const storedAmount = async (orderId: string) =>
  (
    await client.send(
      new GetCommand({ TableName: tables.ordersTable, Key: { order_id: orderId }, ConsistentRead: true }),
    )
  ).Item?.amount;

describe('order API on DynamoDB Local: a retry after a lost response', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the price changed since WHEN the same request is retried THEN it answers 202 with the stored order, in one GetItem', async () => {
    const { product, key, body, orderId } = await placedWithLostResponse();
    await sell(product, 52);
    const send = jest.spyOn(client, 'send');

    const retry = await post(body, key);

    expect(retry.statusCode).toBe(202);
    expect(retry.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(retry.json).toMatchObject({ order_id: orderId, status: 'PLACED', amount: 99 });
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['GetCommand']);
    expect(await storedAmount(orderId)).toBe(99);
  });

  it('GIVEN the retry also sends the prices it showed, now out of date WHEN retried THEN it is still the order it replays, not 409 price_changed', async () => {
    const product = uniqueId('abc');
    await sell(product, 49.5);
    const key = uniqueId('checkout');
    const body = {
      user_id: uniqueId('user'),
      items: [{ product_id: product, quantity: 2, unit_price: 49.5 }],
      currency: 'USD',
      payment_method: 'credit_card',
    };
    const first = await post(body, key);
    await sell(product, 52);

    const retry = await post(body, key);

    expect(retry.statusCode).toBe(202);
    expect(retry.json.order_id).toBe(first.json.order_id);
  });

  it('GIVEN the product was deactivated since WHEN the same request is retried THEN it answers 202 with the stored order, not 422', async () => {
    const { product, key, body, orderId } = await placedWithLostResponse();
    await sell(product, 49.5, false);

    const retry = await post(body, key);

    expect(retry.statusCode).toBe(202);
    expect(retry.json).toMatchObject({ order_id: orderId, amount: 99 });
  });

  it('GIVEN another body under the same key WHEN posted THEN it answers 409 idempotency_key_reused and the stored order is unchanged', async () => {
    const { key, body, orderId } = await placedWithLostResponse();

    const other = await post({ ...body, items: [{ ...body.items[0]!, quantity: 3 }] }, key);

    expect(other.statusCode).toBe(409);
    expect(other.json.error.code).toBe('idempotency_key_reused');
    expect(await storedAmount(orderId)).toBe(99);
  });
});
