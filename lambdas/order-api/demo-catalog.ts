import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CatalogProduct } from './ports';

const price = (USD: number, EUR: number, JPY: number, KWD: number) => ({ USD, EUR, JPY, KWD });

/**
 * The demo catalog for the local runtime and the tests, beside DEMO_STOCK (lambdas/restock/seed.ts):
 * abc, def and ghi are the products of the sample events in events/; `unlucky-13` costs x.13, which
 * the simulated payment provider declines; `retired` is inactive, so an order for it is refused.
 */
export const DEMO_CATALOG: readonly CatalogProduct[] = [
  { product_id: 'abc', active: true, prices: price(49.5, 45, 7400, 15.125) },
  { product_id: 'def', active: true, prices: price(12, 11, 1800, 3.675) },
  { product_id: 'ghi', active: true, prices: price(5.25, 4.75, 780, 1.6) },
  { product_id: 'jkl', active: true, prices: price(19.99, 18.5, 2900, 6.05) },
  { product_id: 'mno', active: true, prices: price(99, 92, 14800, 30.25) },
  { product_id: 'limited-edition', active: true, prices: price(250, 230, 37500, 76.5) },
  { product_id: 'discontinued', active: true, prices: price(10, 9.5, 1500, 3.05) },
  { product_id: 'unlucky-13', active: true, prices: price(23.13, 21.5, 3400, 7.075) },
  { product_id: 'retired', active: false, prices: price(30, 28, 4500, 9.2) },
];

/** Writes the catalog items (overwriting them): for demos and tests, 25 items per BatchWriteItem. */
export async function seedCatalog(
  client: DynamoDBDocumentClient,
  table: string,
  products: readonly CatalogProduct[] = DEMO_CATALOG,
): Promise<void> {
  for (let i = 0; i < products.length; i += 25) {
    let requests = products.slice(i, i + 25).map((product) => ({ PutRequest: { Item: { ...product } } }));
    while (requests.length > 0) {
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
}
