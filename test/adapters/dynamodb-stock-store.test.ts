import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbStockStore } from '../../lambdas/inventory/adapters/dynamodb-stock-store';
import type { Reservation, StockLine } from '../../lambdas/inventory/reservation';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryStockStore } from '../support/doubles/stock';

const client = localDocumentClient();
const tables = { stock: table('stock'), reservations: table('reservations') };
afterAll(() => client.destroy());

/** Fresh products with the given units, so that parallel test files never share stock. */
const freshProducts = async (set: (productId: string, units: number) => Promise<unknown>, units: number[]) => {
  const ids = units.map(() => uniqueId('product'));
  await Promise.all(ids.map((id, i) => set(id, units[i]!)));
  return ids;
};
const read = async (tableName: string, key: Record<string, string>) =>
  (await client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
const inMemory = new InMemoryStockStore();

const line = (product_id: string, quantity: number): StockLine => ({ product_id, quantity });

const decision = (status: Reservation['status'], lines: readonly StockLine[]): Reservation => ({
  order_id: uniqueId('order'),
  status,
  items: lines.map((l) => ({ ...l, unit_price: 1 })),
  decided_at: '2025-04-07T12:34:58.000Z',
});

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbStockStore on DynamoDB Local',
    store: new DynamoDbStockStore(client, tables),
    products: (...units: number[]) =>
      freshProducts(
        (product_id, available) =>
          client.send(new PutCommand({ TableName: tables.stock, Item: { product_id, available } })),
        units,
      ),
    available: async (productId: string) =>
      (await read(tables.stock, { product_id: productId }))?.available as number | undefined,
    reservationOf: (orderId: string) => read(tables.reservations, { order_id: orderId }),
  },
  {
    name: 'InMemoryStockStore',
    store: inMemory,
    products: (...units: number[]) => freshProducts((id, available) => inMemory.setAvailable(id, available), units),
    available: async (productId: string) => inMemory.available.get(productId),
    reservationOf: async (orderId: string) => inMemory.reservations.get(orderId),
  },
])('$name', ({ store, products, available, reservationOf }) => {
  it('GIVEN enough stock for every line WHEN reserved THEN one transaction writes the reservation and takes every line off the shelf', async () => {
    const [abc, def] = await products(100, 50);
    const lines = [line(abc!, 2), line(def!, 1)];
    const reservation = decision('reserved', lines);

    expect(await store.reserve(reservation, lines)).toEqual({ kind: 'reserved', reservation });

    expect([await available(abc!), await available(def!)]).toEqual([98, 49]);
    expect(await reservationOf(reservation.order_id)).toEqual(reservation);
  });

  it('GIVEN one line of two short WHEN reserved THEN the transaction is cancelled for that product and nothing is written (no partial reservation)', async () => {
    const [plenty, scarce] = await products(10, 1);
    const lines = [line(plenty!, 1), line(scarce!, 2)];
    const reservation = decision('reserved', lines);

    expect(await store.reserve(reservation, lines)).toEqual({ kind: 'out-of-stock', products: [scarce] });

    expect([await available(plenty!), await available(scarce!)]).toEqual([10, 1]);
    expect(await reservationOf(reservation.order_id)).toBeUndefined();
  });

  it('GIVEN a product with no stock item WHEN reserved THEN it is out of stock and no item is created for it', async () => {
    const unknown = uniqueId('product');
    const lines = [{ product_id: unknown, quantity: 1 }];

    expect(await store.reserve(decision('reserved', lines), lines)).toEqual({
      kind: 'out-of-stock',
      products: [unknown],
    });
    expect(await available(unknown)).toBeUndefined();
  });

  it('GIVEN two orders for the last unit WHEN reserved one after the other THEN the first gets it and the second is out of stock, never below zero', async () => {
    const [last] = await products(1);
    const lines = [line(last!, 1)];

    const first = await store.reserve(decision('reserved', lines), lines);
    const second = await store.reserve(decision('reserved', lines), lines);

    expect([first.kind, second.kind]).toEqual(['reserved', 'out-of-stock']);
    expect(await available(last!)).toBe(0);
  });

  it('GIVEN an order already decided WHEN reserved again THEN the existing decision comes back in the cancellation reasons (ALL_OLD) and stock is untouched', async () => {
    const [abc] = await products(5);
    const lines = [line(abc!, 1)];
    const reservation = decision('reserved', lines);
    await store.reserve(reservation, lines);

    const again = await store.reserve({ ...reservation, decided_at: '2025-04-07T13:00:00.000Z' }, lines);

    expect(again).toEqual({ kind: 'already-decided', reservation });
    expect(await available(abc!)).toBe(4);
  });

  it('GIVEN no decision yet WHEN a rejection is recorded twice THEN the first one is written and the second gets it back', async () => {
    const rejection = { ...decision('rejected', [{ product_id: 'p', quantity: 1 }]), out_of_stock_products: ['p'] };

    const first = await store.recordRejection(rejection);
    const second = await store.recordRejection({ ...rejection, decided_at: '2025-04-07T13:00:00.000Z' });

    expect(first).toEqual({ kind: 'recorded', reservation: rejection });
    expect(second).toEqual({ kind: 'already-decided', reservation: rejection });
    expect(await reservationOf(rejection.order_id)).toEqual(rejection);
  });
});

describe('DynamoDbStockStore: errors that are not a decision', () => {
  const mocked = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  const ddb = mockClient(mocked);
  const mockedStore = new DynamoDbStockStore(mocked, tables);
  const lines = [{ product_id: 'abc', quantity: 1 }];
  const cancelledBy = (code: string) =>
    new TransactionCanceledException({
      message: `Transaction cancelled [None, ${code}]`,
      $metadata: {},
      CancellationReasons: [{ Code: 'None' }, { Code: code }],
    });
  afterAll(() => ddb.restore());

  it.each([
    ['a transaction cancelled by a conflicting writer', cancelledBy('TransactionConflict')],
    ['a transaction cancelled by throttling', cancelledBy('ThrottlingError')],
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
  ])(
    'GIVEN %s WHEN reserving THEN the error is rethrown (transient, retried), never read as out of stock',
    async (_name, error) => {
      ddb.reset();
      ddb.on(TransactWriteCommand).rejects(error);

      await expect(mockedStore.reserve(decision('reserved', lines), lines)).rejects.toBe(error);
    },
  );
});
