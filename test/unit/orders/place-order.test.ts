import fc from 'fast-check';
import { OUTBOX_RETENTION_SECONDS } from '../../../lambdas/shared/orders/outbox';
import {
  acceptOrder,
  IdempotencyConflictError,
  OrderRejectedError,
  PriceChangedError,
  replayOf,
  requestFingerprint,
} from '../../../lambdas/order-api/place-order';
import { toMinorUnits } from '../../../lambdas/order-api/currency';
import { MAX_ORDER_LINES, OrderCreatedSchema } from '../../../lambdas/shared/contracts/events';
import { deterministicId } from '../../../lambdas/shared/ids';
import { InMemoryOrderStore, prepareAtSentPrices } from '../../support/doubles/orders';
import { thrownBy } from '../../support/thrown';

const NOW = new Date('2025-04-07T12:34:56.000Z');
const body = (overrides: Record<string, unknown> = {}) => ({
  user_id: '123',
  items: [
    { product_id: 'abc', quantity: 2, unit_price: 49.5 },
    { product_id: 'def', quantity: 1, unit_price: 12 },
  ],
  currency: 'USD',
  payment_method: 'credit_card',
  ...overrides,
});
// The catalog sells each line at the price the body names: these tests are about the arithmetic
// and the request rules; the catalog's own rules are tested through the API (test/handlers/order-api).
const prepare = (requestBody: unknown, idempotencyKey?: string) =>
  prepareAtSentPrices({
    body: requestBody,
    idempotencyKey,
    now: NOW,
    newId: () => '6f1c2b9e-0d3a-4c5b-8e7f-9a0b1c2d3e4f',
  });

const rejection = (requestBody: unknown) => thrownBy(OrderRejectedError, () => prepare(requestBody));

describe('prepareOrder', () => {
  it('GIVEN a valid order WHEN prepared THEN the order is PLACED with its history and its OrderCreated waits in the outbox', () => {
    const { order, event, outbox } = prepare(body());

    expect(OrderCreatedSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      order_id: order.order_id,
      amount: 111,
      user_id: '123',
      timestamp: NOW.toISOString(),
    });
    expect(order).toMatchObject({ amount: 111, created_at: NOW.toISOString(), facts: {} });
    expect(order.history).toEqual([
      { fact: 'placed', at: NOW.toISOString(), event_id: event.event_id, event_type: 'OrderCreated' },
    ]);
    expect(outbox).toEqual({
      event_id: event.event_id,
      topic: 'orders',
      key: order.order_id,
      payload: JSON.stringify(event),
      created_at: NOW.toISOString(),
      expires_at: NOW.getTime() / 1000 + OUTBOX_RETENTION_SECONDS,
      // In the sparse index of unpublished entries until the relay marks it.
      unpublished: 'pending',
    });
  });

  it('GIVEN no Idempotency-Key WHEN prepared THEN the order gets a fresh id', () => {
    expect(prepare(body()).order.order_id).toBe('6f1c2b9e-0d3a-4c5b-8e7f-9a0b1c2d3e4f');
  });

  it('GIVEN an Idempotency-Key WHEN prepared twice THEN the order id is the same, derived from user and key', () => {
    const first = prepare(body(), 'key-1').order.order_id;
    expect(prepare(body(), 'key-1').order.order_id).toBe(first);
    expect(first).toBe(deterministicId('order', '123', 'key-1'));
    expect(prepare(body({ user_id: '456' }), 'key-1').order.order_id).not.toBe(first);
    expect(prepare(body(), 'key-2').order.order_id).not.toBe(first);
  });

  it('GIVEN prices whose float sum drifts WHEN priced THEN the amount is exact in cents', () => {
    const { order } = prepare(
      body({
        items: [
          { product_id: 'a', quantity: 1, unit_price: 0.1 },
          { product_id: 'b', quantity: 1, unit_price: 0.2 },
        ],
        amount: 0.3,
      }),
    );
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(order.amount).toBe(0.3);
  });

  it('GIVEN any valid lines WHEN priced THEN the amount is the integer-cent sum divided by 100', () => {
    const line = fc.record({
      quantity: fc.integer({ min: 1, max: 1000 }),
      cents: fc.integer({ min: 1, max: 99_999 }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: MAX_ORDER_LINES }), (lines) => {
        const items = lines.map((l, i) => ({ product_id: `p${i}`, quantity: l.quantity, unit_price: l.cents / 100 }));
        const expectedCents = lines.reduce((sum, l) => sum + l.quantity * l.cents, 0);
        fc.pre(expectedCents <= 100_000_000); // over the contract limit: rejected, tested below
        const { order } = prepare(body({ items }));
        expect(toMinorUnits(order.amount, 2)).toBe(expectedCents);
        expect(order.amount).toBe(expectedCents / 100);
      }),
    );
  });

  it('GIVEN a client amount that disagrees with the priced lines WHEN prepared THEN it is refused as a price change with the total', () => {
    expect(() => prepare(body({ amount: 110.99 }))).toThrow(
      expect.objectContaining({
        constructor: PriceChangedError,
        details: [{ path: 'amount', message: 'the total is 111 USD, not 110.99' }],
      }),
    );
  });

  it('GIVEN KWD prices with three decimals WHEN priced THEN the amount is exact in fils', () => {
    const { order } = prepare(
      body({
        currency: 'KWD',
        items: [
          { product_id: 'a', quantity: 3, unit_price: 0.105 },
          { product_id: 'b', quantity: 1, unit_price: 0.201 },
        ],
      }),
    );
    expect(order.amount).toBe(0.516);
    expect(OrderCreatedSchema.shape.amount.safeParse(order.amount).success).toBe(true);
  });

  it('GIVEN a client amount equal to the lines WHEN prepared THEN it is accepted', () => {
    expect(prepare(body({ amount: 111 })).order.amount).toBe(111);
  });

  it('GIVEN two lines of one product WHEN prepared THEN the second line is rejected by path', () => {
    const error = rejection(
      body({
        items: [
          { product_id: 'abc', quantity: 1, unit_price: 1 },
          { product_id: 'abc', quantity: 2, unit_price: 1 },
        ],
      }),
    );
    expect(error.code).toBe('invalid_order');
    expect(error.details).toEqual([
      { path: 'items[1].product_id', message: expect.stringMatching(/duplicate product/) },
    ]);
  });

  it('GIVEN a total over the contract limit WHEN prepared THEN it is rejected as over the limit', () => {
    const error = rejection(body({ items: [{ product_id: 'gold', quantity: 1000, unit_price: 999_999.99 }] }));
    expect(error.code).toBe('amount_over_limit');
    expect(error.details[0]!.path).toBe('amount');
  });

  it('GIVEN an unknown field at the top or in a line WHEN prepared THEN it is rejected, not ignored', () => {
    expect(rejection(body({ ammount: 111 })).details).toEqual([
      { path: 'body', message: expect.stringMatching(/ammount/) },
    ]);
    expect(
      rejection(body({ items: [{ product_id: 'a', quantity: 1, unit_price: 1, colour: 'red' }] })).details,
    ).toEqual([{ path: 'items[0]', message: expect.stringMatching(/colour/) }]);
  });
});

describe('acceptOrder', () => {
  const accept = (store: InMemoryOrderStore, requestBody: ReturnType<typeof body>, key = 'key-1') =>
    acceptOrder(store, prepare(requestBody, key), requestBody);

  it('GIVEN a new order WHEN accepted THEN order and outbox entry are written once, with the fingerprint of the body as sent', async () => {
    const store = new InMemoryOrderStore();
    const prepared = prepare(body(), 'key-1');

    const result = await acceptOrder(store, prepared, body());

    expect(result).toEqual({ kind: 'placed', order: prepared.order });
    expect(store.orders.get(prepared.order.order_id)!.request_fingerprint).toBe(requestFingerprint(body()));
    expect(store.outbox).toEqual([prepared.outbox]);
  });

  it('GIVEN a retry of the same request that raced the first past the lookup WHEN accepted THEN the stored order is answered and nothing is written', async () => {
    const store = new InMemoryOrderStore();
    await accept(store, body());

    const retry = await accept(store, body());

    expect(retry.kind).toBe('replayed');
    expect(retry.order.order_id).toBe(deterministicId('order', '123', 'key-1'));
    expect(store.writes).toBe(1);
    expect(store.outbox).toHaveLength(1);
  });

  it('GIVEN a different request under a used key WHEN accepted THEN it is a conflict and nothing is written', async () => {
    const store = new InMemoryOrderStore();
    await accept(store, body());

    await expect(accept(store, body({ currency: 'EUR' }))).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(store.writes).toBe(1);
  });
});

describe('requestFingerprint', () => {
  it('GIVEN the same request with its keys and lines in another order and 49.50 for 49.5 WHEN fingerprinted THEN it is the same request', () => {
    const reordered = JSON.parse(
      '{"payment_method":"credit_card","currency":"USD","items":[{"unit_price":12,"quantity":1,"product_id":"def"},' +
        '{"quantity":2,"unit_price":49.50,"product_id":"abc"}],"user_id":"123"}',
    );

    expect(requestFingerprint(reordered)).toBe(requestFingerprint(body()));
  });

  it.each([
    ['a total added', { amount: 111 }],
    ['another quantity', { items: [{ product_id: 'abc', quantity: 3 }] }],
    ['another payment method', { payment_method: 'paypal' }],
  ])('GIVEN %s WHEN fingerprinted THEN it is another request', (_name, overrides) => {
    expect(requestFingerprint(body(overrides))).not.toBe(requestFingerprint(body()));
  });
});

describe('replayOf', () => {
  const stored = () => prepare(body(), 'key-1').order;

  it('GIVEN the body that placed the order WHEN replayed THEN the stored order is the answer', () => {
    expect(replayOf(stored(), body(), requestFingerprint(body()))).toEqual(stored());
  });

  it('GIVEN another body under the key WHEN replayed THEN it is a conflict', () => {
    const other = body({ payment_method: 'paypal' });

    expect(() => replayOf(stored(), other, requestFingerprint(other))).toThrow(IdempotencyConflictError);
  });

  it('GIVEN an order stored before fingerprints WHEN the same request, or one without prices, is replayed THEN it matches on what the order stored', () => {
    const { request_fingerprint: _omitted, ...legacy } = stored();
    const unpriced = body({
      items: [
        { product_id: 'def', quantity: 1 },
        { product_id: 'abc', quantity: 2 },
      ],
    });

    expect(replayOf(legacy, body(), 'sha256:other')).toEqual(legacy);
    expect(replayOf(legacy, unpriced, 'sha256:other')).toEqual(legacy);
    expect(() => replayOf(legacy, body({ currency: 'EUR' }), 'sha256:other')).toThrow(IdempotencyConflictError);
    expect(() => replayOf(legacy, body({ items: [{ product_id: 'abc', quantity: 2 }] }), 'x')).toThrow(
      IdempotencyConflictError,
    );
  });
});
