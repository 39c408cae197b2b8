import { z } from 'zod';
import type { StockChanged } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { deterministicId } from '../shared/ids';
import type { EventPublisher } from '../shared/kafka/publisher';
import type { StockLevels } from './stock-store';

/** A restock request, as the restock function is invoked with it. Strict: a misspelt field is an error, not ignored. */
export const RestockRequestSchema = z.strictObject({
  /** Names this request: repeating it (a retried invoke) adds the units once. */
  restock_id: z.string().min(1).max(128),
  product_id: z.string().min(1).max(128),
  quantity: z.number().int().positive().max(1_000_000),
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

export interface RestockDependencies {
  readonly stock: StockLevels;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export interface RestockOutcome extends RestockRequest {
  /** False when the restock_id had been applied before: the units were not added again. */
  readonly applied: boolean;
}

/**
 * Adds units to a product once per restock_id (one DynamoDB round trip), then publishes the stock
 * change. A repeated request re-publishes the same StockChanged (same event_id) without adding
 * units, so a caller that retried after a lost response, or a crash before the publish, is safe.
 */
export async function restock(request: RestockRequest, deps: RestockDependencies): Promise<RestockOutcome> {
  const { applied } = await deps.stock.restock(request);
  const event: StockChanged = {
    event_type: 'StockChanged',
    event_id: deterministicId('restock', request.product_id, request.restock_id),
    product_id: request.product_id,
    quantity_change: request.quantity,
    restock_id: request.restock_id,
    timestamp: deps.now().toISOString(),
  };
  await deps.publisher.publish([{ topic: TOPICS.inventory.name, key: request.product_id, event }]);
  return { ...request, applied };
}
