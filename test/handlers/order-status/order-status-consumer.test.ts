import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, MSKEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createOrderApi } from '../../../lambdas/order-api/order-api';
import { orderStatusConsumer } from '../../../lambdas/order-status/order-status-consumer';
import type { DeadLetter } from '../../../lambdas/shared/contracts/events';
import { TABLES } from '../../../lambdas/shared/contracts/tables';
import { deterministicId, newId } from '../../../lambdas/shared/ids';
import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';
import { metrics } from '../../../lambdas/shared/observability';
import { TERMINAL_STATUSES } from '../../../lambdas/shared/orders/order-status';
import { failing, throttling } from '../../support/doubles/faults';
import { InMemoryOrderStore, InMemoryProductCatalog } from '../../support/doubles/orders';
import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { deployedHandler } from '../../support/deployed-handler';
import { loadEvent } from '../../support/msk';

/** The three orders of the sample events: shipped (A), payment declined (B), out of stock and refunded (C). */
const A = deterministicId('order', '123', 'checkout-7f3a9c2e');
const B = deterministicId('order', '456', 'checkout-d41c07aa');
const C = deterministicId('order', '789', 'checkout-0be1f5d3');

const billing = () => loadEvent('order-status-billing-outcome.json');
const inventory = () => loadEvent('order-status-inventory-outcome.json');
const shipping = () => loadEvent('order-status-shipping.json');

let projectOrderStatus: ReturnType<typeof orderStatusConsumer>;

/** Places the sample orders through the order API, so that the projector finds what the API stored. */
async function setup() {
  const store = new InMemoryOrderStore();
  const catalog = new InMemoryProductCatalog([
    ...DEMO_CATALOG,
    { product_id: 'xyz', active: true, prices: { EUR: 19.99 } },
  ]);
  const api = createOrderApi({ orders: store, catalog, now: () => new Date(), newId });
  const publisher = new RecordingPublisher();
  projectOrderStatus = orderStatusConsumer({ store, counter: store, publisher, partialBatchResponse: true });
  const orderC = loadEvent<APIGatewayProxyEventV2>('api-post-order.json');
  orderC.headers['idempotency-key'] = 'checkout-0be1f5d3';
  orderC.body = JSON.stringify({
    user_id: '789',
    items: [{ product_id: 'xyz', quantity: 5, unit_price: 19.99 }],
    currency: 'EUR',
    payment_method: 'credit_card',
  });
  for (const request of [loadEvent('api-post-order.json'), loadEvent('api-post-order-base64.json'), orderC]) {
    const response = (await api(request as APIGatewayProxyEventV2)) as APIGatewayProxyStructuredResultV2;
    expect(response.statusCode).toBe(202);
  }
  const recordFact = jest.spyOn(store, 'recordFact');
  const status = async (orderId: string) => {
    const request = loadEvent<APIGatewayProxyEventV2>('api-get-order.json');
    request.rawPath = `/orders/${orderId}`;
    const response = (await api(request)) as APIGatewayProxyStructuredResultV2;
    return JSON.parse(response.body!) as { status: string; history: { fact: string }[] };
  };
  return { store, deadLetters: publisher.published, status, recordFact };
}

async function project(...events: MSKEvent[]) {
  for (const event of events) expect(await projectOrderStatus(event)).toEqual({ batchItemFailures: [] });
}

describe('order-status consumer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the outcome samples WHEN projected THEN each order reaches its one terminal state', async () => {
    const { status } = await setup();

    await project(billing(), inventory(), shipping());

    expect((await status(A)).status).toBe('SHIPPED');
    expect((await status(B)).status).toBe('PAYMENT_DECLINED');
    expect((await status(C)).status).toBe('REFUNDED');
    for (const id of [A, B, C]) expect(TERMINAL_STATUSES).toContain((await status(id)).status);
    expect((await status(A)).history.map((h) => h.fact)).toEqual([
      'placed',
      'paid',
      'shipment_created',
      'reserved',
      'shipped',
    ]);
  });

  it('GIVEN the topics delivered in the opposite order WHEN projected THEN the statuses are the same', async () => {
    const { status } = await setup();

    await project(shipping(), inventory(), billing());

    expect([(await status(A)).status, (await status(B)).status, (await status(C)).status]).toEqual([
      'SHIPPED',
      'PAYMENT_DECLINED',
      'REFUNDED',
    ]);
  });

  it('GIVEN a record WHEN projected THEN the fact and its history entry are recorded with one store call per record', async () => {
    const { recordFact, store } = await setup();

    await project(inventory());

    expect(recordFact).toHaveBeenCalledTimes(2);
    expect(recordFact.mock.calls[0]).toEqual([A, 'reserved', expect.objectContaining({ fact: 'reserved' })]);
    expect(store.orders.get(A)!.history.map((h) => h.fact)).toEqual(['placed', 'reserved']);
  });

  it('GIVEN the same outcome at two offsets WHEN projected THEN the fact is recorded once and the duplicate changes nothing', async () => {
    const { store, status, recordFact } = await setup();
    const addMetric = jest.spyOn(metrics, 'addMetric');

    await project(loadEvent('order-status-duplicate.json'));

    expect(recordFact).toHaveBeenCalledTimes(2);
    expect((await status(A)).history.map((h) => h.fact)).toEqual(['placed', 'paid']);
    expect(store.orders.get(A)!.facts.paid).toBe('2025-04-07T12:34:57.120Z');
    expect(addMetric).toHaveBeenCalledWith('OrdersPaid', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('OrderFactDuplicates', 'Count', 1);
  });

  it('GIVEN the same batch delivered 3 times WHEN projected THEN the orders are as after one delivery', async () => {
    const { status } = await setup();

    await project(billing(), billing(), billing());

    expect((await status(C)).history.map((h) => h.fact)).toEqual(['placed', 'paid', 'refunded']);
  });

  it('GIVEN poison records between good ones WHEN projected THEN each is dead-lettered with its reason and the good record behind them is recorded', async () => {
    const { deadLetters, status } = await setup();

    await project(loadEvent('order-status-poison.json'));

    const reasons = deadLetters
      .map((d) => d.event as DeadLetter)
      .sort((x, y) => x.source.partition - y.source.partition || x.source.offset - y.source.offset)
      .map((d) => d.reason);
    expect(deadLetters.every((d) => d.topic === 'dead_letter')).toBe(true);
    expect(reasons).toEqual([
      expect.stringMatching(/^value is not UTF-8 JSON/),
      expect.stringMatching(/^schema violation in BillingOutcome: payment_status/),
      'unknown event_type "PaymentAuthorised" on topic billing_outcome',
      expect.stringMatching(/^unknown order [0-9a-f-]{36}$/),
      'unknown event_type "ShipmentCreated" on topic billing_outcome',
    ]);
    expect(deadLetters.map((d) => (d.event as DeadLetter).consumer)).toEqual(Array(5).fill('order-status'));
    expect((await status(A)).status).toBe('PAID');
  });

  it('GIVEN DynamoDB throttling WHEN projected THEN the record and the ones behind it are returned for retry, not dead-lettered', async () => {
    const { store, deadLetters } = await setup();
    store.fault = failing(throttling());
    const event = inventory();

    const response = await projectOrderStatus(event);

    const expected = Object.entries(event.records).flatMap(([partition, records]) =>
      records.map((r) => ({ itemIdentifier: { partition, offset: r.offset } })),
    );
    expect(response.batchItemFailures).toEqual(expect.arrayContaining(expected));
    expect(response.batchItemFailures).toHaveLength(expected.length);
    expect(deadLetters).toHaveLength(0);
  });
});

const handle = deployedHandler('orderStatus', () => import('../../../lambdas/order-status/handler'));

describe('order-status handler.ts (middy chain, configuration from the environment)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the deployed handler WHEN invoked like Lambda THEN it records each fact in ORDERS_TABLE, its per-hop timings once per invocation, and dead-letters through the Kafka publisher', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(UpdateCommand).resolves({ Attributes: {} });
    const publish = jest.spyOn(KafkaEventPublisher.prototype, 'publish').mockResolvedValue();

    expect(await handle(billing())).toEqual({ batchItemFailures: [] });
    await handle(loadEvent('order-status-poison.json'));

    // The facts go to the orders table; the analytics table gets only each invocation's per-hop timings.
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(new Set(updates.map((u) => u.TableName))).toEqual(
      new Set([process.env[TABLES.orders.envVar], process.env[TABLES.analytics.envVar]]),
    );
    const analyticsKeys = updates
      .filter((u) => u.TableName === process.env[TABLES.analytics.envVar])
      .map((u) => String(u.Key?.pk));
    expect(analyticsKeys).toHaveLength(2);
    expect(analyticsKeys.every((pk) => pk.startsWith('hops#'))).toBe(true);
    expect(publish.mock.calls.flatMap(([events]) => events.map((e) => e.topic))).toContain('dead_letter');
    ddb.restore();
  });
});
