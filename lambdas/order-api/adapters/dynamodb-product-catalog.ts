import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { ProductIdSchema } from '../../shared/contracts/events';
import { logger } from '../../shared/observability';
import { OrderStoreUnavailableError, type CatalogProduct, type ProductCatalog } from '../ports';
import { classifyStoreError } from './dynamodb-order-repository';

/** A sellable catalog item: a zero or negative price is a catalog error, never a free product. */
const CatalogItemSchema = z.looseObject({
  product_id: ProductIdSchema,
  active: z.boolean(),
  prices: z.record(z.string().check(z.regex(/^[A-Z]{3}$/)), z.number().check(z.positive())),
});

/** BatchGetItem returns what it could not read as UnprocessedKeys; retry those a few times, then 503. */
const MAX_ATTEMPTS = 3;

/** The catalog table: one BatchGetItem per order (at most 50 lines, under its 100-key limit). */
export class DynamoDbProductCatalog implements ProductCatalog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async find(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>> {
    const found = new Map<string, CatalogProduct>();
    let keys = [...new Set(productIds)].map((product_id) => ({ product_id }));
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new OrderStoreUnavailableError(new Error('catalog reads left unprocessed'));
      try {
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys } } }),
        );
        for (const item of Responses?.[this.table] ?? []) {
          const parsed = CatalogItemSchema.safeParse(item);
          if (parsed.success) found.set(parsed.data.product_id, parsed.data);
          else logger.error('Catalog item is not sellable as stored', { item, issues: parsed.error.issues });
        }
        keys = (UnprocessedKeys?.[this.table]?.Keys ?? []) as { product_id: string }[];
      } catch (error) {
        throw classifyStoreError(error);
      }
    }
    return found;
  }
}
