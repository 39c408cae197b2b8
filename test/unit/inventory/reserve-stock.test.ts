import { reservationEvents, stockChangeEventId, stockLines } from '../../../lambdas/inventory/reservation';
import { reserveStock } from '../../../lambdas/inventory/reserve-stock';
import { DEMO_STOCK, seedStock } from '../../../lambdas/restock/seed';
import type { OrderLine } from '../../../lambdas/shared/contracts/events';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryStockStore } from '../../support/doubles/stock';

const item = (product_id: string, quantity: number): OrderLine => ({ product_id, quantity, unit_price: 10 });

function setup(stock: Record<string, number>) {
  const store = new InMemoryStockStore(stock);
  const publisher = new RecordingPublisher();
  const deps = { stock: store, publisher, now: () => new Date('2025-04-07T12:35:00Z') };
  return { store, publisher, deps };
}

describe('stockLines', () => {
  it('GIVEN an order that lists a product twice WHEN turned into stock lines THEN the quantities are merged, one line per product, sorted', () => {
    expect(stockLines([item('def', 1), item('abc', 2), item('def', 3)])).toEqual([
      { product_id: 'abc', quantity: 2 },
      { product_id: 'def', quantity: 4 },
    ]);
  });
});

describe('reserveStock', () => {
  it('GIVEN enough stock WHEN a paid order arrives THEN every line is taken and a StockChanged per product plus StockReserved are published', async () => {
    const { store, publisher, deps } = setup({ abc: 5, def: 5 });
    const items = [item('abc', 2), item('def', 1), item('abc', 1)];

    const outcome = await reserveStock({ order_id: 'order-1', items }, deps);

    expect(outcome.kind).toBe('reserved');
    expect(Object.fromEntries(store.available)).toEqual({ abc: 2, def: 4 });
    expect(publisher.on('inventory')).toEqual([
      {
        topic: 'inventory',
        key: 'abc',
        event: expect.objectContaining({
          event_type: 'StockChanged',
          event_id: stockChangeEventId('order-1', 'abc'),
          quantity_change: -3,
          order_id: 'order-1',
        }),
      },
      {
        topic: 'inventory',
        key: 'def',
        event: expect.objectContaining({ event_id: stockChangeEventId('order-1', 'def'), quantity_change: -1 }),
      },
    ]);
    expect(publisher.on('inventory_outcome')).toEqual([
      {
        topic: 'inventory_outcome',
        key: 'order-1',
        event: expect.objectContaining({ event_type: 'StockReserved', items }),
      },
    ]);
  });

  it('GIVEN one line short WHEN a paid order arrives THEN nothing is taken, a rejection is recorded and OrderCancelled out_of_stock is published', async () => {
    const { store, publisher, deps } = setup({ abc: 5, def: 0 });

    const outcome = await reserveStock({ order_id: 'order-1', items: [item('abc', 2), item('def', 1)] }, deps);

    expect(outcome).toMatchObject({
      kind: 'rejected',
      reservation: { status: 'rejected', out_of_stock_products: ['def'] },
    });
    expect(Object.fromEntries(store.available)).toEqual({ abc: 5, def: 0 });
    expect(publisher.published).toEqual([
      {
        topic: 'inventory_outcome',
        key: 'order-1',
        event: expect.objectContaining({
          event_type: 'OrderCancelled',
          reason: 'out_of_stock',
          out_of_stock_products: ['def'],
        }),
      },
    ]);
  });

  it('GIVEN a product inventory has never stocked WHEN ordered THEN the order is cancelled as out of stock', async () => {
    const { deps } = setup({});

    await expect(reserveStock({ order_id: 'order-1', items: [item('unknown', 1)] }, deps)).resolves.toMatchObject({
      kind: 'rejected',
    });
  });

  it('GIVEN a reserved order WHEN its paid outcome is delivered again THEN nothing more is taken and the same events are re-emitted', async () => {
    const { store, publisher, deps } = setup({ abc: 5 });
    await reserveStock({ order_id: 'order-1', items: [item('abc', 2)] }, deps);
    const first = [...publisher.published];

    const again = await reserveStock(
      { order_id: 'order-1', items: [item('abc', 2)] },
      { ...deps, now: () => new Date() },
    );

    expect(again.kind).toBe('re-emitted');
    expect(store.available.get('abc')).toBe(3);
    expect(publisher.published.slice(first.length)).toEqual(first);
  });

  it('GIVEN a rejected order WHEN its paid outcome is delivered again after a restock THEN the rejection stands and is re-emitted', async () => {
    const { store, publisher, deps } = setup({ abc: 0 });
    await reserveStock({ order_id: 'order-1', items: [item('abc', 1)] }, deps);
    await store.restock({ restock_id: 'r-1', product_id: 'abc', quantity: 10, applied_at: '2025-04-07T13:00:00Z' });

    const again = await reserveStock({ order_id: 'order-1', items: [item('abc', 1)] }, deps);

    expect(again).toMatchObject({ kind: 're-emitted', reservation: { status: 'rejected' } });
    expect(store.available.get('abc')).toBe(10);
    expect(publisher.published[1]).toEqual(publisher.published[0]);
  });

  it('GIVEN a crash after the reservation and before the publish WHEN redelivered THEN the events are published with the first timestamp', async () => {
    const { publisher, deps } = setup({ abc: 5 });
    publisher.failNext = 1;

    await expect(reserveStock({ order_id: 'order-1', items: [item('abc', 2)] }, deps)).rejects.toThrow('broker');
    await reserveStock({ order_id: 'order-1', items: [item('abc', 2)] }, { ...deps, now: () => new Date() });

    expect(publisher.published.map((p) => p.event.timestamp)).toEqual([
      '2025-04-07T12:35:00.000Z',
      '2025-04-07T12:35:00.000Z',
    ]);
  });
});

describe('reservationEvents', () => {
  it('GIVEN the same reservation WHEN its events are built twice THEN they are identical (re-emission keeps event ids)', () => {
    const reservation = {
      order_id: 'order-1',
      status: 'reserved' as const,
      items: [item('abc', 1)],
      decided_at: '2025-04-07T12:35:00.000Z',
    };

    expect(reservationEvents(structuredClone(reservation))).toEqual(reservationEvents(reservation));
  });
});

describe('seedStock', () => {
  it('GIVEN the demo stock WHEN seeded THEN every product holds its units, including the single limited edition', async () => {
    const store = new InMemoryStockStore();

    await seedStock(store);

    expect(Object.fromEntries(store.available)).toEqual(
      Object.fromEntries(DEMO_STOCK.map((p) => [p.product_id, p.available])),
    );
    expect(store.available.get('limited-edition')).toBe(1);
  });
});
