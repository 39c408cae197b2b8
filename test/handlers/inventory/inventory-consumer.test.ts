import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import { inventoryConsumer } from '../../../lambdas/inventory/inventory-consumer';
import { stockChangeEventId } from '../../../lambdas/inventory/reservation';
import { DEMO_STOCK } from '../../../lambdas/restock/seed';
import { failing, throttling, THROTTLING_ERRORS } from '../../support/doubles/faults';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryStockStore } from '../../support/doubles/stock';
import { decodeValues, loadEvent, mskEvent } from '../../support/msk';
import { orderCreated } from '../../support/events';

function setup(options: { partialBatchResponse?: boolean; now?: string } = {}) {
  const store = new InMemoryStockStore(Object.fromEntries(DEMO_STOCK.map((p) => [p.product_id, p.available])));
  const reserve = jest.spyOn(store, 'reserve');
  const recordRejection = jest.spyOn(store, 'recordRejection');
  const storeCalls = () => reserve.mock.calls.length + recordRejection.mock.calls.length;
  const publisher = new RecordingPublisher();
  const handler = inventoryConsumer({
    stock: store,
    publisher,
    partialBatchResponse: options.partialBatchResponse ?? true,
    now: () => new Date(options.now ?? '2025-04-07T12:34:58.000Z'),
  });
  const deadLetters = () =>
    publisher.on('dead_letter').map((p) => p.event as unknown as { reason: string; source: { offset: number } });
  const stock = store.available;
  const reservations = store.reservations;
  return { handler, store, stock, reservations, publisher, deadLetters, storeCalls, reserve, recordRejection };
}

const paid = (order_id: string, items = [{ product_id: 'abc', quantity: 1, unit_price: 49.5 }]) => ({
  event_type: 'BillingOutcome',
  event_id: `evt-${order_id}`,
  order_id,
  payment_status: 'paid',
  transaction_id: `txn_${order_id}`,
  amount: 49.5,
  currency: 'USD',
  items,
  timestamp: '2025-04-07T12:34:57Z',
});

describe('inventory consumer: reservations', () => {
  it('GIVEN inventory-paid.json WHEN handled THEN one atomic reservation takes every line and StockChanged per product plus StockReserved are published', async () => {
    const { handler, stock, reservations, publisher, storeCalls, reserve } = setup();

    const response = await handler(loadEvent('inventory-paid.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(storeCalls()).toBe(1);
    expect(reserve.mock.calls[0]![1]).toHaveLength(2);
    expect(stock.get('abc')).toBe(98);
    expect(stock.get('def')).toBe(49);
    expect(reservations.get('12345')!.status).toBe('reserved');
    expect(publisher.on('inventory').map((p) => [p.key, p.event])).toEqual([
      [
        'abc',
        expect.objectContaining({
          event_id: stockChangeEventId('12345', 'abc'),
          quantity_change: -2,
          order_id: '12345',
        }),
      ],
      [
        'def',
        expect.objectContaining({
          event_id: stockChangeEventId('12345', 'def'),
          quantity_change: -1,
          order_id: '12345',
        }),
      ],
    ]);
    expect(publisher.on('inventory_outcome').map((p) => [p.key, p.event.event_type])).toEqual([
      ['12345', 'StockReserved'],
    ]);
  });

  it('GIVEN the same batch delivered 3 times WHEN handled THEN stock is reserved once and the same events are re-emitted, one store call each', async () => {
    const { handler, stock, publisher, storeCalls } = setup();

    for (let i = 0; i < 3; i++) {
      await expect(handler(loadEvent('inventory-paid.json'))).resolves.toEqual({ batchItemFailures: [] });
    }

    expect(stock.get('abc')).toBe(98);
    expect(storeCalls()).toBe(3);
    const [first, second, third] = [0, 1, 2].map((i) => JSON.stringify(publisher.published.slice(i * 3, i * 3 + 3)));
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('GIVEN inventory-out-of-stock.json WHEN handled THEN nothing is reserved, the rejection is recorded and the OrderCancelled is exactly billing-order-cancelled.json', async () => {
    const { handler, stock, reservations, publisher, storeCalls, recordRejection } = setup({
      now: '2025-04-07T12:35:01.905Z',
    });

    const response = await handler(loadEvent('inventory-out-of-stock.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect(storeCalls()).toBe(2);
    expect(recordRejection.mock.calls[0]![0]).toMatchObject({ status: 'rejected' });
    expect(stock.get('limited-edition')).toBe(1);
    expect(stock.get('abc')).toBe(100);
    expect(reservations.get('12363')).toMatchObject({ status: 'rejected', out_of_stock_products: ['limited-edition'] });
    expect(publisher.published.map((p) => p.event)).toEqual(decodeValues(loadEvent('billing-order-cancelled.json')));
  });

  it('GIVEN an out-of-stock order delivered again WHEN handled THEN the rejection is re-emitted from the reservation answer, in one store call', async () => {
    const { handler, publisher, storeCalls } = setup();
    await handler(loadEvent('inventory-out-of-stock.json'));
    const before = storeCalls();

    await handler(loadEvent('inventory-out-of-stock.json'));

    expect(storeCalls() - before).toBe(1);
    expect(publisher.published).toHaveLength(2);
    expect(publisher.published[1]).toEqual(publisher.published[0]);
  });

  it('GIVEN two orders racing for the last unit in one batch WHEN handled THEN the first is reserved and the second cancelled', async () => {
    const { handler, stock, publisher } = setup();
    const mug = [{ product_id: 'limited-edition', quantity: 1, unit_price: 35 }];

    await handler(
      mskEvent([
        { topic: 'billing_outcome', partition: 0, key: 'first', value: paid('first', mug) },
        { topic: 'billing_outcome', partition: 1, key: 'second', value: paid('second', mug) },
      ]),
    );

    expect(stock.get('limited-edition')).toBe(0);
    expect(
      publisher
        .on('inventory_outcome')
        .map((p) => p.event.event_type)
        .sort(),
    ).toEqual(['OrderCancelled', 'StockReserved']);
  });

  it('GIVEN a declined outcome that slipped past the filter WHEN handled THEN it is ignored without touching the store', async () => {
    const { handler, publisher, storeCalls } = setup();
    const declined = { ...paid('12361'), payment_status: 'declined', items: undefined, reason: 'card_declined' };

    const response = await handler(mskEvent([{ topic: 'billing_outcome', key: '12361', value: declined }]));

    expect(response.batchItemFailures).toEqual([]);
    expect(storeCalls()).toBe(0);
    expect(publisher.published).toEqual([]);
  });
});

describe('inventory consumer: poison records', () => {
  it('GIVEN inventory-poison.json WHEN handled THEN each malformed record is dead-lettered with its reason and the orders around them are reserved', async () => {
    const { handler, reservations, deadLetters } = setup();

    const response = await handler(loadEvent('inventory-poison.json'));

    expect(response.batchItemFailures).toEqual([]);
    expect([...reservations.keys()]).toEqual(['12380', '12385']);
    const byOffset = deadLetters().sort((x, y) => x.source.offset - y.source.offset);
    expect(byOffset.map((d) => [d.source.offset, d.reason])).toEqual([
      [3002, 'paid BillingOutcome without items: nothing to reserve'],
      [3003, expect.stringMatching(/^schema violation in BillingOutcome: payment_status: Invalid option/)],
      [3004, 'unknown event_type "StockChanged" on topic billing_outcome'],
      [3005, expect.stringMatching(/^value is not UTF-8 JSON: /)],
      [3006, expect.stringMatching(/^schema violation in undefined: \(root\): /)],
    ]);
  });

  it.each([
    [
      'an OrderCreated misrouted to inventory',
      {
        topic: 'orders',
        value: orderCreated({ order_id: 'o' }),
      },
      /^inventory does not consume OrderCreated events \(topic orders\)$/,
    ],
    [
      'a line with quantity 0',
      { topic: 'billing_outcome', value: paid('o', [{ product_id: 'abc', quantity: 0, unit_price: 1 }]) },
      /^schema violation in BillingOutcome: items\.0\.quantity: Too small/,
    ],
    ['a bare number', { topic: 'billing_outcome', value: '42' }, /^schema violation in undefined: \(root\): /],
    [
      'a missing transaction_id',
      { topic: 'billing_outcome', value: { ...paid('o'), transaction_id: undefined } },
      /^schema violation in BillingOutcome: transaction_id: /,
    ],
    ['a null value', { topic: 'billing_outcome', value: null }, /^missing value \(null or empty record\)$/],
  ])(
    'GIVEN %s between two paid orders WHEN handled THEN it is dead-lettered with a clear reason and both orders are reserved',
    async (_case, poison, reason) => {
      const { handler, reservations, deadLetters } = setup();

      const response = await handler(
        mskEvent([
          { topic: 'billing_outcome', offset: 0, key: 'a', value: paid('a') },
          { topic: poison.topic, offset: 1, key: 'o', value: poison.value },
          { topic: 'billing_outcome', offset: 2, key: 'b', value: paid('b') },
        ]),
      );

      expect(response.batchItemFailures).toEqual([]);
      expect(deadLetters()).toEqual([expect.objectContaining({ reason: expect.stringMatching(reason) })]);
      expect([...reservations.keys()].sort()).toEqual(['a', 'b']);
    },
  );
});

describe('inventory consumer: transient failures', () => {
  const batch = () =>
    mskEvent([
      { topic: 'billing_outcome', partition: 3, offset: 20, key: 'a', value: paid('a') },
      { topic: 'billing_outcome', partition: 3, offset: 21, key: 'b', value: paid('b') },
      { topic: 'billing_outcome', partition: 3, offset: 22, key: 'c', value: paid('c') },
      { topic: 'billing_outcome', partition: 4, offset: 40, key: 'd', value: paid('d') },
    ]);
  it.each(THROTTLING_ERRORS)(
    'GIVEN %s for one record WHEN handled THEN that record and the rest of its partition are retried, nothing is cancelled',
    async (_name, error) => {
      const { handler, store, reservations, publisher } = setup();
      store.fault = failing(error, { operation: 'reserve', keys: ['b'] });

      const response = await handler(batch());

      expect(response.batchItemFailures).toEqual([
        { itemIdentifier: { partition: 'billing_outcome-3', offset: 21 } },
        { itemIdentifier: { partition: 'billing_outcome-3', offset: 22 } },
      ]);
      // Other keys behind the failure may run concurrently and are redone, idempotently, on retry.
      expect(reservations.has('b')).toBe(false);
      expect([...reservations.keys()]).toEqual(expect.arrayContaining(['a', 'd']));
      expect(publisher.on('inventory_outcome').map((p) => p.event.event_type)).not.toContain('OrderCancelled');
      expect(publisher.on('dead_letter')).toEqual([]);
    },
  );

  it('GIVEN a transient error and a mapping without partial batch responses WHEN handled THEN the invocation fails so the batch is retried', async () => {
    const { handler, store } = setup({ partialBatchResponse: false });
    store.fault = failing(new ThrottlingException({ message: 'throttled', $metadata: {} }), { keys: ['b'] });

    await expect(handler(batch())).rejects.toThrow('2 record(s) failed transiently');
  });

  it('GIVEN the rejection write is throttled WHEN handled THEN the out-of-stock record is retried and no OrderCancelled is published yet', async () => {
    const { handler, store, publisher } = setup();
    store.fault = failing(throttling(), {
      operation: 'recordRejection',
    });

    const response = await handler(loadEvent('inventory-out-of-stock.json'));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'billing_outcome-1', offset: 874 } }]);
    expect(publisher.published).toEqual([]);
  });
});
