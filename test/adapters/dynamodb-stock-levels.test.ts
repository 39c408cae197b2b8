import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStockLevels, restockMarkerKey } from '../../lambdas/restock/adapters/dynamodb-stock-levels';
import type { AppliedRestock } from '../../lambdas/restock/ports';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryStockStore } from '../support/doubles/stock';

const client = localDocumentClient();
const levels = new DynamoDbStockLevels(client, table('stock'));
afterAll(() => client.destroy());

const item = async (productId: string) =>
  (
    await client.send(
      new GetCommand({ TableName: table('stock'), Key: { product_id: productId }, ConsistentRead: true }),
    )
  ).Item;
const restockOf = (product_id: string, quantity = 24): AppliedRestock => ({
  restock_id: uniqueId('delivery'),
  product_id,
  quantity,
  applied_at: '2025-04-07T12:40:00.000Z',
});

const inMemory = new InMemoryStockStore();

describe('DynamoDbStockLevels on DynamoDB Local: the restock marker', () => {
  it('GIVEN a restock WHEN applied THEN its restock_id is marked under restock# in the stock table, in the same transaction as the units', async () => {
    const product = uniqueId('product');
    const restock = restockOf(product);

    await levels.restock(restock);

    expect(await item(restockMarkerKey(restock.restock_id))).toEqual({
      product_id: restockMarkerKey(restock.restock_id),
      restock,
    });
    expect((await item(product))!.available).toBe(24);
  });
});

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbStockLevels on DynamoDB Local',
    levels,
    available: async (productId: string) => (await item(productId))?.available as number | undefined,
  },
  {
    name: 'InMemoryStockStore',
    levels: inMemory,
    available: async (productId: string) => inMemory.available.get(productId),
  },
])('$name', ({ levels, available }) => {
  it('GIVEN a product with stock WHEN restocked THEN the units are added and the restock comes back as applied', async () => {
    const product = uniqueId('product');
    await levels.setAvailable(product, 1);
    const restock = restockOf(product);

    expect(await levels.restock(restock)).toEqual({ kind: 'applied', restock });

    expect(await available(product)).toBe(25);
  });

  it('GIVEN a restock applied WHEN the same restock_id comes again, with other units THEN nothing is added and the first restock comes back (ALL_OLD)', async () => {
    const product = uniqueId('product');
    await levels.setAvailable(product, 1);
    const first = restockOf(product);
    await levels.restock(first);

    const again = await levels.restock({ ...first, quantity: 99, applied_at: '2025-04-07T13:00:00.000Z' });

    expect(again).toEqual({ kind: 'already-applied', restock: first });
    expect(await available(product)).toBe(25);
  });

  it('GIVEN a product with no stock item WHEN restocked THEN the item is created with those units', async () => {
    const product = uniqueId('product');

    await levels.restock(restockOf(product, 3));

    expect(await available(product)).toBe(3);
  });

  it('GIVEN a product with stock WHEN its level is set THEN the level is overwritten', async () => {
    const product = uniqueId('product');
    await levels.restock(restockOf(product, 3));

    await levels.setAvailable(product, 100);

    expect(await available(product)).toBe(100);
  });
});
