import { DynamoDBServiceException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { billingConsumer } from '../../../lambdas/billing/billing-consumer';
import { outcomeEventId, type Payment } from '../../../lambdas/billing/payment';
import { MAX_ORDER_LINES, type OrderCreated } from '../../../lambdas/shared/contracts/events';
import { MAX_EVENT_BYTES } from '../../../lambdas/shared/kafka/msk-event';
import { failing, throttling, THROTTLING_ERRORS } from '../../support/doubles/faults';
import { InMemoryPaymentStore, LedgerKeepingProvider, type ProviderBehaviour } from '../../support/doubles/payments';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { decodeValues, loadEvent, mskEvent } from '../../support/msk';
import { orderCreatedFields } from '../../support/events';

function setup(options: { partialBatchResponse?: boolean; now?: string; behaviour?: ProviderBehaviour } = {}) {
  const payments = new InMemoryPaymentStore();
  const table = payments.items as Map<string, Payment>;
  const publisher = new RecordingPublisher();
  const provider = new LedgerKeepingProvider(options.behaviour);
  const claimCharge = jest.spyOn(payments, 'claimCharge');
  const claimRefund = jest.spyOn(payments, 'claimRefund');
  const spies = [
    claimCharge,
    jest.spyOn(payments, 'completeCharge'),
    claimRefund,
    jest.spyOn(payments, 'completeRefund'),
  ];
  const storeCalls = () => spies.reduce((calls, spy) => calls + spy.mock.calls.length, 0);
  const handler = billingConsumer({
    payments,
    provider,
    publisher,
    partialBatchResponse: options.partialBatchResponse ?? true,
    now: () => new Date(options.now ?? '2025-04-07T12:34:57.120Z'),
  });
  const outcomes = () => publisher.published.filter((p) => p.topic === 'billing_outcome');
  const deadLetters = () =>
    publisher.published
      .filter((p) => p.topic === 'dead_letter')
      .map((p) => p.event as unknown as { reason: string; source: { offset: number } });
  return {
    handler,
    payments,
    table,
    publisher,
    provider,
    outcomes,
    deadLetters,
    storeCalls,
    claimCharge,
    claimRefund,
  };
}

// Not validated: some cases send an OrderCreated no producer could write.
const orderCreated = (order_id: string, overrides: Record<string, unknown> = {}) =>
  orderCreatedFields({ order_id, user_id: '123', ...overrides }) as OrderCreated;

describe('billing consumer: charges', () => {
  it('GIVEN billing-order-created.json WHEN handled THEN two ledger writes (claim, completion) record the payment and the paid outcome is exactly inventory-paid.json', async () => {
    const { handler, table, outcomes, storeCalls, claimCharge } = setup();

    const response = await handler(loadEvent('billing-order-created.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(storeCalls()).toBe(2);
    await expect(claimCharge.mock.results[0]!.value).resolves.toMatchObject({ kind: 'claimed' });
    expect(table.get('12345')).toMatchObject({
      order_id: '12345',
      payment_status: 'paid',
      amount: 111,
      currency: 'USD',
    });
    expect(outcomes().map((o) => o.event)).toEqual(decodeValues(loadEvent('inventory-paid.json')));
    expect(outcomes()[0]!.key).toBe('12345');
  });

  it('GIVEN billing-order-declined.json WHEN handled THEN a declined card and a .13 amount are both declined, with their reasons', async () => {
    const { handler, outcomes } = setup();

    await handler(loadEvent('billing-order-declined.json'));

    expect(outcomes().map((o) => o.event)).toEqual([
      expect.objectContaining({ order_id: '12361', payment_status: 'declined', reason: 'card_declined' }),
      expect.objectContaining({
        order_id: '12362',
        payment_status: 'declined',
        reason: 'insufficient_funds',
        amount: 10.13,
      }),
    ]);
  });

  it('GIVEN the same batch delivered 3 times WHEN handled THEN the order is charged once and the same outcome is re-emitted each time', async () => {
    const { handler, payments, provider, outcomes, storeCalls } = setup();

    for (let i = 0; i < 3; i++) {
      await expect(handler(loadEvent('billing-order-created.json'))).resolves.toEqual({ batchItemFailures: [] });
    }

    expect(payments.items.size).toBe(1);
    expect(payments.writes).toBe(2);
    expect(provider.movements('12345')).toEqual({ paid: 1, declined: 0, refunded: 0 });
    expect(provider.chargeCalls).toBe(1);
    // 2 for the first delivery, then 1 per redelivery: the failed claim returns the completed entry.
    expect(storeCalls()).toBe(4);
    expect(outcomes()).toHaveLength(3);
    expect(new Set(outcomes().map((o) => JSON.stringify(o.event))).size).toBe(1);
  });

  it('GIVEN a duplicate OrderCreated at a new offset, with a new event_id, WHEN handled THEN the order is still charged once', async () => {
    const { handler, table, provider, outcomes } = setup();

    await handler(
      mskEvent([
        { topic: 'orders', offset: 10, key: 'o-1', value: orderCreated('o-1') },
        { topic: 'orders', offset: 11, key: 'o-1', value: orderCreated('o-1', { event_id: 'evt-o-1-producer-retry' }) },
      ]),
    );

    expect(table.size).toBe(1);
    expect(provider.movements('o-1').paid).toBe(1);
    expect(outcomes().map((o) => o.event.event_id)).toEqual([
      outcomeEventId('paid', 'o-1'),
      outcomeEventId('paid', 'o-1'),
    ]);
  });

  it('GIVEN a crash after the ledger write and before the publish WHEN the record is redelivered THEN the outcome is published from the ledger', async () => {
    const { handler, table, publisher, outcomes } = setup();
    publisher.failNext = 1;

    const first = await handler(loadEvent('billing-order-created.json'));
    const second = await handler(loadEvent('billing-order-created.json'));

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'orders-4', offset: 1041 } }]);
    expect(table.size).toBe(1);
    expect(second.batchItemFailures).toEqual([]);
    expect(outcomes()).toHaveLength(1);
  });
});

describe('billing consumer: refunds', () => {
  const paidOrder = async (handler: (e: MSKEvent) => Promise<unknown>, orderId = '12363') =>
    handler(mskEvent([{ topic: 'orders', key: orderId, value: orderCreated(orderId, { amount: 119.5 }) }]));

  it('GIVEN a paid order WHEN billing-order-cancelled.json arrives THEN two ledger writes claim and complete the refund, the provider refunds it and a refunded outcome is published', async () => {
    const { handler, table, provider, outcomes, storeCalls, claimRefund } = setup();
    await paidOrder(handler);
    const before = storeCalls();

    const response = await handler(loadEvent('billing-order-cancelled.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect(storeCalls() - before).toBe(2);
    expect(claimRefund.mock.calls.map(([orderId]) => orderId)).toEqual(['12363']);
    expect(table.get('12363')).toMatchObject({ refund_status: 'refunded', refund_reason: 'out_of_stock' });
    expect(provider.movements('12363').refunded).toBe(1);
    expect(outcomes()[1]!.event).toMatchObject({
      event_id: outcomeEventId('refunded', '12363'),
      order_id: '12363',
      payment_status: 'refunded',
      amount: 119.5,
      reason: 'out_of_stock',
    });
  });

  it('GIVEN the cancellation delivered 3 times WHEN handled THEN the refund happens once and the same refunded outcome is re-emitted', async () => {
    const { handler, provider, outcomes } = setup();
    await paidOrder(handler);

    for (let i = 0; i < 3; i++) await handler(loadEvent('billing-order-cancelled.json'));

    expect(provider.movements('12363').refunded).toBe(1);
    expect(provider.refundCalls).toBe(1);
    const refunded = outcomes().filter((o) => o.event.payment_status === 'refunded');
    expect(refunded).toHaveLength(3);
    expect(new Set(refunded.map((o) => JSON.stringify(o.event))).size).toBe(1);
  });

  it('GIVEN a provider that refuses the refund for good WHEN the cancellation arrives THEN the record is done, the ledger says refund_failed with the reason, no refunded outcome is published and nothing is dead-lettered', async () => {
    const { handler, table, outcomes, deadLetters } = setup({ behaviour: { refuseRefund: () => 'charge_disputed' } });
    await paidOrder(handler);

    const response = await handler(loadEvent('billing-order-cancelled.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect(table.get('12363')).toMatchObject({ refund_status: 'refund_failed', refund_failure: 'charge_disputed' });
    expect(table.get('12363')!.refunded_at).toBeUndefined();
    expect(outcomes().map((o) => o.event.payment_status)).toEqual(['paid']);
    expect(deadLetters()).toEqual([]);
  });

  it('GIVEN an order whose charge was claimed two days ago and never completed WHEN OrderCreated is redelivered THEN the provider is not called and nothing is published', async () => {
    const { handler, payments, provider, outcomes } = setup({ now: '2025-04-09T12:34:57.120Z' });
    await payments.claimCharge({
      order_id: '12345',
      payment_status: 'charge_requested',
      amount: 111,
      currency: 'USD',
      payment_method: 'credit_card',
      items: [{ product_id: 'abc', quantity: 1, unit_price: 111 }],
      requested_at: '2025-04-07T12:34:57.120Z',
    });

    const response = await handler(loadEvent('billing-order-created.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect(provider.chargeCalls).toBe(0);
    expect(outcomes()).toEqual([]);
    expect(payments.items.get('12345')!.payment_status).toBe('charge_requested');
  });

  it('GIVEN a declined order WHEN its cancellation arrives THEN nothing is refunded or published, and the record is not dead-lettered', async () => {
    const { handler, provider, publisher } = setup();
    await handler(
      mskEvent([{ topic: 'orders', key: '12363', value: orderCreated('12363', { payment_method: 'declined_card' }) }]),
    );

    const response = await handler(loadEvent('billing-order-cancelled.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect(provider.refundCalls).toBe(0);
    expect(publisher.published.map((p) => p.event.payment_status ?? p.topic)).toEqual(['declined']);
  });

  it('GIVEN a StockReserved on inventory_outcome WHEN it slips past the filter THEN billing ignores it without touching the ledger', async () => {
    const { handler, publisher, storeCalls } = setup();
    const reserved = {
      event_type: 'StockReserved',
      event_id: 'e-1',
      order_id: '12345',
      items: orderCreated('x').items,
      timestamp: '2025-04-07T12:35:00Z',
    };

    const response = await handler(mskEvent([{ topic: 'inventory_outcome', key: '12345', value: reserved }]));

    expect(response.batchItemFailures).toEqual([]);
    expect(storeCalls()).toBe(0);
    expect(publisher.published).toEqual([]);
  });
});

describe('billing consumer: poison records', () => {
  it('GIVEN billing-poison.json WHEN handled THEN each malformed record is dead-lettered with its reason and the records around them are charged', async () => {
    const { handler, table, deadLetters } = setup();

    const response = await handler(loadEvent('billing-poison.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect([...table.keys()]).toEqual(['12370', '12376']);
    expect(deadLetters().map((d) => [d.source.offset, d.reason])).toEqual([
      [2002, 'value is not valid base64'],
      [2003, expect.stringMatching(/^value is not UTF-8 JSON: .*JSON/)],
      [2004, expect.stringMatching(/^schema violation in OrderCreated: amount: .*; currency: /)],
      [2005, 'unknown event_type "OrderShipped" on topic orders'],
      [2006, 'missing value (null or empty record)'],
    ]);
  });

  const tooManyLines = Array.from({ length: MAX_ORDER_LINES + 1 }, (_, i) => ({
    product_id: `p-${i}`,
    quantity: 1,
    unit_price: 1,
  }));
  const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]).toString('base64');
  const billingOutcome = {
    event_type: 'BillingOutcome',
    event_id: 'e',
    order_id: 'o',
    payment_status: 'paid',
    transaction_id: 't',
    amount: 1,
    currency: 'USD',
    timestamp: '2025-04-07T12:34:56Z',
  };

  it.each([
    [
      'an oversize value',
      { topic: 'orders', value: orderCreated('o', { padding: 'x'.repeat(MAX_EVENT_BYTES) }) },
      new RegExp(`^oversize value: \\d+ bytes, limit ${MAX_EVENT_BYTES}$`),
    ],
    [
      'a JSON array instead of an object',
      { topic: 'orders', value: '[]' },
      /^schema violation in undefined: \(root\): /,
    ],
    ['invalid UTF-8 bytes', { topic: 'orders', value: '', raw: invalidUtf8 }, /^value is not UTF-8 JSON: /],
    ['an empty value', { topic: 'orders', value: '' }, /^missing value \(null or empty record\)$/],
    [
      'more lines than one reservation transaction holds',
      { topic: 'orders', value: orderCreated('o', { items: tooManyLines }) },
      /^schema violation in OrderCreated: items: Too big/,
    ],
    [
      'a timestamp that is not ISO-8601',
      { topic: 'orders', value: orderCreated('o', { timestamp: 'yesterday' }) },
      /^schema violation in OrderCreated: timestamp: Invalid ISO datetime/,
    ],
    [
      "an amount finer than any currency's minor unit",
      { topic: 'orders', value: orderCreated('o', { amount: 49.5055 }) },
      /^schema violation in OrderCreated: amount: /,
    ],
    [
      'a BillingOutcome misrouted to billing',
      { topic: 'billing_outcome', value: billingOutcome },
      /^billing does not consume BillingOutcome events \(topic billing_outcome\)$/,
    ],
    ['a record from an unknown topic', { topic: 'orders_v2', value: orderCreated('o') }, /^unknown topic "orders_v2"$/],
  ])(
    'GIVEN %s between two good orders WHEN handled THEN it is dead-lettered with a clear reason and both orders are charged',
    async (_case, poison: { topic: string; value: unknown; raw?: string }, reason) => {
      const { handler, table, deadLetters } = setup();
      const event = mskEvent([
        { topic: 'orders', offset: 0, key: 'b', value: orderCreated('b') },
        { topic: poison.topic, offset: 1, key: 'o', value: poison.value },
        { topic: 'orders', offset: 2, key: 'a', value: orderCreated('a') },
      ]);
      const poisonRecord = Object.values(event.records)
        .flat()
        .find((r) => r.offset === 1)!;
      if (poison.raw !== undefined) poisonRecord.value = poison.raw;

      const response = await handler(event);

      expect(response.batchItemFailures).toEqual([]);
      expect(deadLetters()).toEqual([expect.objectContaining({ reason: expect.stringMatching(reason) })]);
      expect([...table.keys()].sort()).toEqual(['a', 'b']);
    },
  );
});

describe('billing consumer: transient failures', () => {
  const batch = () =>
    mskEvent([
      { topic: 'orders', partition: 1, offset: 5, key: 'a', value: orderCreated('a') },
      { topic: 'orders', partition: 1, offset: 6, key: 'b', value: orderCreated('b') },
      { topic: 'orders', partition: 1, offset: 7, key: 'c', value: orderCreated('c') },
      { topic: 'orders', partition: 2, offset: 9, key: 'd', value: orderCreated('d') },
    ]);

  it.each(THROTTLING_ERRORS)(
    'GIVEN DynamoDB answers %s for one record WHEN handled THEN that record and the rest of its partition are returned as batchItemFailures, and the failed order is not charged',
    async (_name, error) => {
      const { handler, payments, table, deadLetters } = setup();
      payments.fault = failing(error, { keys: ['b'] });

      const response = await handler(batch());

      expect(response.batchItemFailures).toEqual([
        { itemIdentifier: { partition: 'orders-1', offset: 6 } },
        { itemIdentifier: { partition: 'orders-1', offset: 7 } },
      ]);
      // Records of other keys behind the failure (c) may run concurrently; they are redone, idempotently, on retry.
      expect(table.has('b')).toBe(false);
      expect([...table.keys()]).toEqual(expect.arrayContaining(['a', 'd']));
      expect(deadLetters()).toEqual([]);
    },
  );

  it('GIVEN a transient DynamoDB error and a mapping without partial batch responses WHEN handled THEN the invocation fails so the whole batch is retried', async () => {
    const { handler, payments } = setup({ partialBatchResponse: false });
    payments.fault = failing(throttling(), {
      keys: ['b'],
    });

    await expect(handler(batch())).rejects.toThrow('2 record(s) failed transiently; the batch will be retried');
  });

  it('GIVEN DynamoDB refuses one order with a ValidationException WHEN handled THEN that record is dead-lettered with the reason, never retried, and its partition flows on', async () => {
    const { handler, payments, table, deadLetters } = setup();
    const invalid = new DynamoDBServiceException({
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Item size has exceeded the maximum allowed size',
    });
    payments.fault = failing(invalid, { keys: ['b'] });

    const response = await handler(batch());

    expect(response.batchItemFailures).toEqual([]);
    expect(deadLetters()).toEqual([
      expect.objectContaining({
        reason: 'ValidationException: Item size has exceeded the maximum allowed size',
        source: expect.objectContaining({ offset: 6 }),
      }),
    ]);
    expect([...table.keys()].sort()).toEqual(['a', 'c', 'd']);
  });

  it('GIVEN a throttled refund claim WHEN handled THEN the cancellation is retried, not dead-lettered', async () => {
    const { handler, payments, deadLetters } = setup();
    payments.fault = failing(new ThrottlingException({ message: 'throttled', $metadata: {} }), {
      operation: 'claimRefund',
    });

    const response = await handler(loadEvent('billing-order-cancelled.json'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'inventory_outcome-1', offset: 388 } }]);
    expect(deadLetters()).toEqual([]);
  });
});
