import * as z from 'zod/mini';
import { IdSchema, ProductIdSchema, type StockChanged } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import { toTopic } from '../shared/kafka/publisher';
import type { AppliedRestock, EventPublisher, StockLevels } from './ports';

/** A restock request, as the restock function is invoked with it. Strict: a misspelt field is an error, not ignored. */
export const RestockRequestSchema = z.strictObject({
  /** Names this request: repeating it (a retried invoke) adds the units once. */
  restock_id: IdSchema,
  product_id: ProductIdSchema,
  quantity: z.int().check(z.positive(), z.maximum(1_000_000)),
});

export type RestockRequest = z.infer<typeof RestockRequestSchema>;

export class InvalidRestockRequestError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid restock request: ${issues.join('; ')}`);
    this.name = 'InvalidRestockRequestError';
  }
}

export function parseRestockRequest(input: unknown): RestockRequest {
  const parsed = RestockRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidRestockRequestError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** The restock_id was applied before with another product or quantity: a caller error, not a retry. */
export class RestockConflictError extends Error {
  constructor(readonly applied: AppliedRestock) {
    super(
      `restock_id "${applied.restock_id}" was already applied to ${applied.product_id} with quantity ${applied.quantity}; use a new restock_id`,
    );
    this.name = 'RestockConflictError';
  }
}

export interface RestockDependencies {
  readonly stock: StockLevels;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

/**
 * `restocked`: this request added the units. `re-emitted`: its restock_id had been applied before;
 * the units were not added again, and the stock change of the restock that holds was published again.
 */
export type RestockOutcome = { readonly kind: 'restocked' | 're-emitted'; readonly restock: AppliedRestock };

/**
 * Adds units to a product once per restock_id (one DynamoDB round trip), then publishes the stock
 * change. A repeated request adds nothing and re-publishes the same StockChanged, built from the
 * stored restock (same event_id, same timestamp): a caller that retried after a lost response, or a
 * crash between the write and the publish, is safe. Re-emission, as in the Kafka consumers.
 */
export async function restock(request: RestockRequest, deps: RestockDependencies): Promise<RestockOutcome> {
  const { kind, restock: held } = await deps.stock.restock({ ...request, applied_at: deps.now().toISOString() });
  if (held.product_id !== request.product_id || held.quantity !== request.quantity) {
    throw new RestockConflictError(held);
  }
  const event: StockChanged = {
    event_type: 'StockChanged',
    event_id: deterministicId('restock', held.restock_id),
    product_id: held.product_id,
    quantity_change: held.quantity,
    restock_id: held.restock_id,
    timestamp: held.applied_at,
  };
  await deps.publisher.publish([toTopic(TOPICS.inventory.name, event)]);
  return { kind: kind === 'applied' ? 'restocked' : 're-emitted', restock: held };
}
