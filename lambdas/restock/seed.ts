import type { StockLevels } from './ports';

/**
 * Demo stock for the local runtime and the tests: abc, def and ghi are the products of the sample
 * events in events/; `limited-edition` has one unit, so two orders for it show the out-of-stock
 * saga; `discontinued` has none.
 */
export const DEMO_STOCK: readonly { readonly product_id: string; readonly available: number }[] = [
  { product_id: 'abc', available: 100 },
  { product_id: 'def', available: 50 },
  { product_id: 'ghi', available: 25 },
  { product_id: 'limited-edition', available: 1 },
  { product_id: 'discontinued', available: 0 },
];

/** Sets the stock of each product (overwriting the units available): for demos and tests, not live traffic. */
export async function seedStock(
  stock: Pick<StockLevels, 'setAvailable'>,
  levels: readonly { readonly product_id: string; readonly available: number }[] = DEMO_STOCK,
): Promise<void> {
  await Promise.all(levels.map((level) => stock.setAvailable(level.product_id, level.available)));
}
