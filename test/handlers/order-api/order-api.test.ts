import { parseTraceparent } from '../../../lambdas/shared/trace-context';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createOrderApi } from '../../../lambdas/order-api/order-api';
import { OrderStoreRejectedError, OrderStoreUnavailableError } from '../../../lambdas/order-api/ports';
import { OrderCreatedSchema } from '../../../lambdas/shared/contracts/events';
import { TABLES } from '../../../lambdas/shared/contracts/tables';
import { deterministicId, newId } from '../../../lambdas/shared/ids';
import { logger, metrics } from '../../../lambdas/shared/observability';
import { failing, throttling } from '../../support/doubles/faults';
import { lambdaContext } from '../../support/doubles/lambda-context';
import { InMemoryOrderStore, InMemoryProductCatalog } from '../../support/doubles/orders';
import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import { coldStart } from '../../support/function-env';
import { loadEvent } from '../../support/msk';

const ORDER_A = deterministicId('order', '123', 'checkout-7f3a9c2e');

type Request = APIGatewayProxyEventV2;
const postOrder = () => loadEvent<Request>('api-post-order.json');
const getOrder = () => loadEvent<Request>('api-get-order.json');

let api: ReturnType<typeof createOrderApi>;

function setup() {
  const store = new InMemoryOrderStore();
  // The demo catalog, and a product dear enough to reach the order limit.
  const catalog = new InMemoryProductCatalog([
    ...DEMO_CATALOG,
    { product_id: 'yacht', active: true, prices: { USD: 2000, JPY: 300_000, KWD: 600 } },
  ]);
  api = createOrderApi({ orders: store, catalog, now: () => new Date(), newId });
  const create = jest.spyOn(store, 'create');
  const get = jest.spyOn(store, 'get');
  return { store, catalog, orders: store.orders, outbox: store.outbox, create, get };
}

async function call(request: Request) {
  const response = (await api(request)) as APIGatewayProxyStructuredResultV2 & { body: string };
  return { ...response, json: JSON.parse(response.body) };
}

function withBody(body: unknown, request = postOrder()): Request {
  request.body = typeof body === 'string' ? body : JSON.stringify(body);
  return request;
}

const validBody = () => JSON.parse(postOrder().body!) as Record<string, unknown> & { items: Record<string, unknown>[] };

/** A POST /orders of the valid body with `fields` changed (undefined removes a field). */
const orderWith = (fields: Record<string, unknown>) => withBody({ ...validBody(), ...fields });

/** An order line without a price: the catalog prices it. */
const unpriced = (product_id: string, quantity: number) => ({ product_id, quantity });

function route(method: string, path: string): Request {
  const request = getOrder();
  request.requestContext.http.method = method;
  request.rawPath = path;
  request.requestContext.http.path = path;
  request.routeKey = '$default';
  request.requestContext.routeKey = '$default';
  delete request.pathParameters;
  return request;
}

const unavailable = () => new OrderStoreUnavailableError(throttling());

describe('order API: POST /orders', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the sample order WHEN posted THEN it answers 202 with the order id and writes order and OrderCreated in one atomic call', async () => {
    const { orders, outbox, create, get } = setup();
    const addMetric = jest.spyOn(metrics, 'addMetric');

    const response = await call(postOrder());

    expect(response.statusCode).toBe(202);
    expect(response.headers).toMatchObject({ location: `/orders/${ORDER_A}` });
    expect(response.json).toEqual({
      order_id: ORDER_A,
      status: 'PLACED',
      amount: 111,
      links: { self: `/orders/${ORDER_A}` },
    });
    expect(create).toHaveBeenCalledTimes(1);
    // The Idempotency-Key is resolved first: one lookup of the order it would replay.
    expect(get.mock.calls).toEqual([[ORDER_A]]);
    expect(orders.get(ORDER_A)).toMatchObject({
      order_id: ORDER_A,
      user_id: '123',
      amount: 111,
      currency: 'USD',
      payment_method: 'credit_card',
      history: [{ fact: 'placed', event_type: 'OrderCreated' }],
    });
    const [entry] = outbox;
    const event = OrderCreatedSchema.parse(JSON.parse(entry!.payload));
    expect(entry).toMatchObject({ topic: 'orders', key: ORDER_A, event_id: event.event_id });
    expect(entry!.expires_at).toBe(Math.floor(Date.parse(entry!.created_at) / 1000) + 7 * 24 * 3600);
    expect(event).toMatchObject({ order_id: ORDER_A, amount: 111, items: validBody().items });
    expect(addMetric).toHaveBeenCalledWith('OrdersPlaced', 'Count', 1);
  });

  it('GIVEN a caller that sends a W3C traceparent WHEN posted THEN the OrderCreated in the outbox continues its trace, and without one it starts a trace of its own', async () => {
    const { outbox } = setup();
    const traced = postOrder();
    traced.headers.traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const untraced = postOrder();
    delete untraced.headers['idempotency-key'];

    await call(traced);
    await call(untraced);

    const [continued, started] = outbox.map((e) => parseTraceparent(e.traceparent));
    expect(continued?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(continued?.spanId).not.toBe('00f067aa0ba902b7');
    expect(started?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(started?.traceId).not.toBe(continued?.traceId);
  });

  it('GIVEN no Idempotency-Key WHEN the same order is posted twice THEN two orders are created', async () => {
    const { orders } = setup();
    const request = () => {
      const r = postOrder();
      delete r.headers['idempotency-key'];
      return r;
    };

    const first = await call(request());
    const second = await call(request());

    expect(first.json.order_id).not.toBe(second.json.order_id);
    expect(first.json.order_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(orders.size).toBe(2);
  });

  it('GIVEN a base64-encoded body (isBase64Encoded) WHEN posted THEN it is decoded and accepted', async () => {
    const { orders } = setup();

    const response = await call(loadEvent<Request>('api-post-order-base64.json'));

    expect(response.statusCode).toBe(202);
    expect(orders.get(response.json.order_id)).toMatchObject({ user_id: '456', payment_method: 'declined_card' });
  });

  it('GIVEN a client retry with the same Idempotency-Key WHEN posted THEN it answers 202 with the same order and writes nothing new', async () => {
    const { orders, outbox, create, get, catalog } = setup();
    await call(postOrder());

    const retry = await call(postOrder());

    expect(retry.statusCode).toBe(202);
    expect(retry.json.order_id).toBe(ORDER_A);
    expect(retry.headers).toMatchObject({ 'idempotent-replayed': 'true', location: `/orders/${ORDER_A}` });
    expect(orders.size).toBe(1);
    expect(outbox).toHaveLength(1);
    // The retry is answered from the lookup alone: no catalog read, no write attempted.
    expect(create).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledTimes(2);
    expect(catalog.finds).toBe(1);
  });

  it('GIVEN the first response was lost and the catalog changed since WHEN the same request is retried THEN it answers 202 with the stored order, not 409 or 422', async () => {
    const { catalog, orders } = setup();
    await call(postOrder());
    catalog.products.set('abc', { product_id: 'abc', active: true, prices: { USD: 52 } });
    const repriced = await call(postOrder());
    catalog.products.set('abc', { product_id: 'abc', active: false, prices: { USD: 49.5 } });
    const deactivated = await call(postOrder());

    for (const retry of [repriced, deactivated]) {
      expect(retry.statusCode).toBe(202);
      expect(retry.json).toMatchObject({ order_id: ORDER_A, amount: 111 });
    }
    expect(orders.size).toBe(1);
  });

  it('GIVEN two first attempts of one request racing past the lookup WHEN the second writes THEN it is answered as a replay', async () => {
    const { store, create } = setup();
    jest.spyOn(store, 'get').mockResolvedValue(undefined);
    await call(postOrder());

    const second = await call(postOrder());

    expect(second.statusCode).toBe(202);
    expect(second.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(create).toHaveBeenCalledTimes(2);
    expect(store.outbox).toHaveLength(1);
  });

  it('GIVEN an Idempotency-Key reused for a different order WHEN posted THEN it answers 409 and keeps the first order', async () => {
    const { orders } = setup();
    await call(postOrder());

    const response = await call(orderWith({ payment_method: 'paypal' }));

    expect(response.statusCode).toBe(409);
    expect(response.json.error.code).toBe('idempotency_key_reused');
    expect(orders.get(ORDER_A)!.payment_method).toBe('credit_card');
  });

  it('GIVEN the invalid sample WHEN posted THEN it answers 422 with every violation by field path, and writes nothing', async () => {
    const { create } = setup();
    const addMetric = jest.spyOn(metrics, 'addMetric');

    const response = await call(loadEvent<Request>('api-post-order-invalid.json'));

    expect(response.statusCode).toBe(422);
    expect(response.json.error).toMatchObject({ code: 'invalid_order' });
    expect(response.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'currency',
      'items[0].quantity',
      'items[0].unit_price',
    ]);
    expect(create).not.toHaveBeenCalled();
    expect(addMetric).toHaveBeenCalledWith('OrdersRejected', 'Count', 1);
  });

  it('GIVEN the order store unavailable (throttled) WHEN posted THEN it answers 503 with Retry-After, never a 4xx', async () => {
    const { store } = setup();
    store.fault = failing(unavailable(), { operation: 'create' });

    const response = await call(postOrder());

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
    expect(response.json.error.code).toBe('service_unavailable');
  });

  it("GIVEN a JPY order of 1,200,000 yen (about $8,000) WHEN posted THEN it is accepted: the limit is the currency's own", async () => {
    setup();

    const response = await call(orderWith({ currency: 'JPY', items: [{ product_id: 'yacht', quantity: 4 }] }));

    expect(response.statusCode).toBe(202);
    expect(response.json.amount).toBe(1_200_000);
  });

  it('GIVEN a value the order store refuses as invalid (ValidationException) WHEN posted THEN it answers 400, never 500 "retry"', async () => {
    const { store } = setup();
    const invalid = Object.assign(new Error('One or more parameter values were invalid'), {
      name: 'ValidationException',
    });
    store.fault = failing(new OrderStoreRejectedError(invalid), { operation: 'create' });

    const response = await call(postOrder());

    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('invalid_value');
  });

  it('GIVEN an unexpected store error WHEN posted THEN it answers 500 and logs the error with the order_id', async () => {
    const { store } = setup();
    store.fault = failing(
      Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException' }),
    );
    const appendKeys = jest.spyOn(logger, 'appendKeys');
    const logError = jest.spyOn(logger, 'error');

    const response = await call(postOrder());

    expect(response.statusCode).toBe(500);
    expect(response.json.error.code).toBe('internal_error');
    expect(appendKeys).toHaveBeenCalledWith({ order_id: ORDER_A });
    expect(logError).toHaveBeenCalledWith(
      'Order request failed',
      expect.objectContaining({ error: expect.objectContaining({ name: 'ValidationException' }) }),
    );
  });
});

describe('order API: prices from the catalog', () => {
  it.each([
    { currency: 'JPY', decimals: 0, sent: 7400, amount: 22200 },
    { currency: 'USD', decimals: 2, sent: 49.5, amount: 148.5 },
    { currency: 'KWD', decimals: 3, sent: 15.125, amount: 45.375 },
  ])(
    'GIVEN an order in $currency ($decimals decimals) at the catalog price WHEN posted THEN it is priced in exact minor units',
    async ({ currency, sent, amount }) => {
      const { orders } = setup();

      const response = await call(
        orderWith({ currency, items: [{ product_id: 'abc', quantity: 3, unit_price: sent }] }),
      );

      expect(response.statusCode).toBe(202);
      expect(response.json.amount).toBe(amount);
      expect(orders.get(ORDER_A)).toMatchObject({
        amount,
        currency,
        items: [{ product_id: 'abc', quantity: 3, unit_price: sent }],
      });
    },
  );

  it('GIVEN lines without prices WHEN posted THEN every line is priced from the catalog in 1 catalog read', async () => {
    const { orders, catalog } = setup();

    const response = await call(orderWith({ items: [unpriced('abc', 2), unpriced('def', 1)] }));

    expect(response.statusCode).toBe(202);
    expect(catalog.finds).toBe(1);
    expect(orders.get(ORDER_A)).toMatchObject({
      amount: 111,
      items: [
        { product_id: 'abc', quantity: 2, unit_price: 49.5 },
        { product_id: 'def', quantity: 1, unit_price: 12 },
      ],
    });
  });

  it('GIVEN a client that sets its own price WHEN posted THEN it answers 409 with the current price and writes nothing', async () => {
    const { orders } = setup();

    const response = await call(orderWith({ items: [{ product_id: 'abc', quantity: 1, unit_price: 0.01 }] }));

    expect(response.statusCode).toBe(409);
    expect(response.json.error.details).toEqual([
      { path: 'items[0].unit_price', message: '"abc" is 49.5 USD, not 0.01' },
    ]);
    expect(orders.size).toBe(0);
  });

  it('GIVEN unknown and inactive products WHEN posted THEN it answers 422 naming each product id', async () => {
    setup();

    const response = await call(orderWith({ items: [unpriced('nope', 1), unpriced('retired', 1)] }));

    expect(response.statusCode).toBe(422);
    expect(response.json.error.message).toContain('"nope"');
    expect(response.json.error.message).toContain('"retired"');
    expect(response.json.error.details).toEqual([
      { path: 'items[0].product_id', message: 'unknown product: "nope"' },
      { path: 'items[1].product_id', message: 'no longer sold: "retired"' },
    ]);
  });

  it('GIVEN the catalog unavailable (throttled) WHEN posted THEN it answers 503 with Retry-After', async () => {
    const { catalog } = setup();
    catalog.fault = failing(unavailable());

    const response = await call(postOrder());

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
  });
});

describe('order API: malformed requests', () => {
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ product_id: `p${i}`, quantity: 1, unit_price: 1 }));
  const header = (name: string, value: string | undefined) => {
    const request = postOrder();
    if (value === undefined) delete request.headers[name];
    else request.headers[name] = value;
    return request;
  };
  const base64 = (bytes: Buffer) => {
    const request = postOrder();
    request.body = bytes.toString('base64');
    request.isBase64Encoded = true;
    return request;
  };

  const cases: [string, () => Request, number, string, string?][] = [
    ['no body', () => Object.assign(header('content-length', undefined), { body: undefined }), 400, 'empty_body'],
    ['a blank body', () => withBody('   \n'), 400, 'empty_body'],
    ['a body that is not JSON', () => withBody('{"user_id":"123",'), 400, 'invalid_json'],
    ['no content-type', () => header('content-type', undefined), 415, 'unsupported_media_type'],
    ['content-type text/plain', () => header('content-type', 'text/plain'), 415, 'unsupported_media_type'],
    [
      'a charset other than UTF-8',
      () => header('content-type', 'application/json; charset=iso-8859-1'),
      415,
      'unsupported_media_type',
    ],
    ['a body over 64 KB', () => orderWith({ payment_method: 'x'.repeat(70_000) }), 413, 'payload_too_large'],
    [
      'isBase64Encoded with a body that is not base64',
      () => Object.assign(postOrder(), { isBase64Encoded: true }),
      400,
      'invalid_encoding',
    ],
    ['a base64 body that is not UTF-8', () => base64(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'invalid_encoding'],
    ['a JSON array', () => withBody([validBody()]), 422, 'invalid_order', 'body'],
    ['no user_id', () => orderWith({ user_id: undefined }), 422, 'invalid_order', 'user_id'],
    [
      'a quantity of 0',
      () => orderWith({ items: [{ product_id: 'a', quantity: 0, unit_price: 1 }] }),
      422,
      'invalid_order',
      'items[0].quantity',
    ],
    [
      'a fractional quantity',
      () => orderWith({ items: [{ product_id: 'a', quantity: 1.5, unit_price: 1 }] }),
      422,
      'invalid_order',
      'items[0].quantity',
    ],
    [
      'a price in tenths of cents',
      () => orderWith({ items: [{ product_id: 'a', quantity: 1, unit_price: 1.005 }] }),
      422,
      'invalid_order',
      'items[0].unit_price',
    ],
    [
      'a negative price',
      () => orderWith({ items: [{ product_id: 'a', quantity: 1, unit_price: -1 }] }),
      422,
      'invalid_order',
      'items[0].unit_price',
    ],
    [
      'a price given as a string',
      () => orderWith({ items: [{ product_id: 'a', quantity: 1, unit_price: '1.00' }] }),
      422,
      'invalid_order',
      'items[0].unit_price',
    ],
    [
      'a user_id with a control character',
      () => orderWith({ user_id: 'user\u0000-1' }),
      422,
      'invalid_order',
      'user_id',
    ],
    [
      'a product_id with a newline',
      () => orderWith({ items: [{ product_id: 'a\nb', quantity: 1, unit_price: 1 }] }),
      422,
      'invalid_order',
      'items[0].product_id',
    ],
    [
      'a product_id in the stock markers key space',
      () => orderWith({ items: [{ product_id: 'restock#r-1', quantity: 1, unit_price: 1 }] }),
      422,
      'invalid_order',
      'items[0].product_id',
    ],
    ['a lower-case currency', () => orderWith({ currency: 'usd' }), 422, 'invalid_order', 'currency'],
    ['a code that is no ISO 4217 currency', () => orderWith({ currency: 'XYZ' }), 422, 'invalid_order', 'currency'],
    [
      'a yen price with decimals (JPY has no minor unit)',
      () => orderWith({ currency: 'JPY', items: [{ product_id: 'a', quantity: 1, unit_price: 100.5 }] }),
      422,
      'invalid_order',
      'items[0].unit_price',
    ],
    ['no lines', () => orderWith({ items: [] }), 422, 'invalid_order', 'items'],
    ['51 lines', () => orderWith({ items: lines(51) }), 422, 'invalid_order', 'items'],
    [
      'two lines of one product',
      () => orderWith({ items: [...lines(1), ...lines(1)] }),
      422,
      'invalid_order',
      'items[1].product_id',
    ],
    ['an unknown field', () => orderWith({ ammount: 111 }), 422, 'invalid_order', 'body'],
    ['an amount that disagrees with the catalog', () => orderWith({ amount: 110 }), 409, 'price_changed', 'amount'],
    [
      'a unit price that disagrees with the catalog',
      () => orderWith({ items: [{ product_id: 'abc', quantity: 1, unit_price: 0 }] }),
      409,
      'price_changed',
      'items[0].unit_price',
    ],
    [
      'a product the catalog does not know',
      () => orderWith({ items: [{ product_id: 'nope', quantity: 1 }] }),
      422,
      'unknown_product',
      'items[0].product_id',
    ],
    [
      'an inactive product',
      () => orderWith({ items: [{ product_id: 'retired', quantity: 1 }] }),
      422,
      'unknown_product',
      'items[0].product_id',
    ],
    [
      'a product without a price in the currency',
      () => orderWith({ currency: 'CHF', items: [{ product_id: 'abc', quantity: 1 }] }),
      422,
      'unknown_product',
      'items[0].product_id',
    ],
    [
      'a KWD price with four decimals',
      () => orderWith({ currency: 'KWD', items: [{ product_id: 'abc', quantity: 1, unit_price: 15.1255 }] }),
      422,
      'invalid_order',
      'items[0].unit_price',
    ],
    [
      'a total over the limit',
      () => orderWith({ items: [{ product_id: 'yacht', quantity: 1000 }] }),
      422,
      'amount_over_limit',
      'amount',
    ],
    [
      'a KWD total over the KWD limit (1,000,000 passed whatever the currency)',
      () => orderWith({ currency: 'KWD', items: [{ product_id: 'yacht', quantity: 1000 }] }),
      422,
      'amount_over_limit',
      'amount',
    ],
    [
      'a user_id with a bidi override (U+202E)',
      () => orderWith({ user_id: 'user\u202Egnp.exe' }),
      422,
      'invalid_order',
      'user_id',
    ],
    ['a user_id with a lone surrogate', () => orderWith({ user_id: 'user\uD800' }), 422, 'invalid_order', 'user_id'],
    [
      'a product_id with a line separator (U+2028)',
      () => orderWith({ items: [{ product_id: 'abc\u2028', quantity: 1 }] }),
      422,
      'invalid_order',
      'items[0].product_id',
    ],
    [
      'a payment_method with CR and LF',
      () => orderWith({ payment_method: 'credit_card\r\nX-Injected: 1' }),
      422,
      'invalid_order',
      'payment_method',
    ],
    [
      'an empty Idempotency-Key',
      () => header('idempotency-key', ''),
      400,
      'invalid_idempotency_key',
      'headers.idempotency-key',
    ],
    [
      'a 300-character Idempotency-Key',
      () => header('idempotency-key', 'k'.repeat(300)),
      400,
      'invalid_idempotency_key',
      'headers.idempotency-key',
    ],
    ['PUT /orders', () => route('PUT', '/orders'), 405, 'method_not_allowed'],
    ['GET /orders', () => route('GET', '/orders'), 405, 'method_not_allowed'],
    ['DELETE /orders/{order_id}', () => route('DELETE', `/orders/${ORDER_A}`), 405, 'method_not_allowed'],
    ['an unknown route', () => route('POST', '/customers'), 404, 'route_not_found'],
    [
      'GET /orders/{order_id} with a malformed id',
      () => route('GET', '/orders/12345'),
      400,
      'invalid_order_id',
      'order_id',
    ],
    [
      'GET /orders/{order_id} of an order that does not exist',
      () => route('GET', `/orders/${deterministicId('order', 'nobody', 'none')}`),
      404,
      'order_not_found',
    ],
  ];

  it.each(cases.map(([name, request, status, code, path]) => ({ name, request, status, code, path })))(
    'GIVEN $name WHEN requested THEN it answers $status $code with the reason',
    async ({ request, status, code, path }) => {
      const { orders } = setup();

      const response = await call(request());

      expect(response.statusCode).toBe(status);
      expect(response.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
      expect(response.json).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array) } });
      expect(response.json.error.message.length).toBeGreaterThan(10);
      expect(response.json.error.details.map((d: { path: string }) => d.path)).toEqual(path ? [path] : []);
      expect(orders.size).toBe(0);
    },
  );

  it('GIVEN a wrong method WHEN refused THEN the Allow header names the method that is', async () => {
    setup();
    expect((await call(route('PUT', '/orders'))).headers).toMatchObject({ allow: 'POST' });
    expect((await call(route('DELETE', `/orders/${ORDER_A}`))).headers).toMatchObject({ allow: 'GET' });
  });
});

describe('order API: GET /orders/{order_id}', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN a placed order WHEN fetched THEN it answers 200 with status, history and the order, in 1 read', async () => {
    const { get } = setup();
    await call(postOrder());
    get.mockClear();

    const response = await call(getOrder());

    expect(response.statusCode).toBe(200);
    expect(response.json).toMatchObject({
      order_id: ORDER_A,
      status: 'PLACED',
      terminal: false,
      amount: 111,
      currency: 'USD',
      items: validBody().items,
      history: [{ fact: 'placed', status: 'PLACED', event_type: 'OrderCreated' }],
      links: { self: `/orders/${ORDER_A}` },
    });
    expect(get.mock.calls).toEqual([[ORDER_A]]);
  });

  it('GIVEN an upper-case order id WHEN fetched THEN the order is found', async () => {
    setup();
    await call(postOrder());

    expect((await call(route('GET', `/orders/${ORDER_A.toUpperCase()}`))).statusCode).toBe(200);
  });

  it('GIVEN a named stage in the path WHEN fetched THEN the stage prefix is not part of the route', async () => {
    setup();
    await call(postOrder());
    const request = route('GET', `/prod/orders/${ORDER_A}`);
    request.requestContext.stage = 'prod';

    expect((await call(request)).statusCode).toBe(200);
  });

  it('GIVEN the order store unavailable (throttled) WHEN fetched THEN it answers 503 with Retry-After', async () => {
    const { store } = setup();
    store.fault = failing(unavailable(), { operation: 'get' });

    const response = await call(getOrder());

    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'retry-after': '1' });
  });
});

describe('order-api handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the sample events WHEN invoked like Lambda THEN POST reads CATALOG_TABLE, writes through ORDERS_TABLE and OUTBOX_TABLE, counts the order as PLACED in ANALYTICS_TABLE in the same transaction and answers 202, and GET reads ORDERS_TABLE and answers 200', async () => {
    const { handler } = await coldStart('orderApi', () => import('../../../lambdas/order-api/handler'));
    const ddb = mockClient(DynamoDBDocumentClient);
    const catalogTable = process.env[TABLES.catalog.envVar]!;
    ddb.on(BatchGetCommand).resolves({ Responses: { [catalogTable]: DEMO_CATALOG.map((p) => ({ ...p })) } });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand).resolves({});

    const posted = (await handler(postOrder(), lambdaContext('orderApi'))) as APIGatewayProxyStructuredResultV2;
    const [put] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    ddb.on(GetCommand).resolves({ Item: put![0]!.Put!.Item });
    const fetched = (await handler(getOrder(), lambdaContext('orderApi'))) as APIGatewayProxyStructuredResultV2;

    expect(posted.statusCode).toBe(202);
    expect(Object.keys(ddb.commandCalls(BatchGetCommand)[0]!.args[0].input.RequestItems!)).toEqual([catalogTable]);
    expect(put!.map((t) => (t.Put ?? t.Update)!.TableName)).toEqual([
      process.env[TABLES.orders.envVar],
      process.env[TABLES.outbox.envVar],
      process.env[TABLES.analytics.envVar],
    ]);
    expect(put![2]!.Update!.ExpressionAttributeNames).toEqual({ '#c0': 'orders_PLACED' });
    expect(fetched.statusCode).toBe(200);
    expect(JSON.parse(fetched.body!).order_id).toBe(ORDER_A);
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.TableName)).toEqual([
      process.env[TABLES.orders.envVar],
      process.env[TABLES.orders.envVar],
    ]);
    ddb.restore();
  });
});
