import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import type { AppliedRestock } from './ports';
import { parseRestockRequest, restock, type RestockDependencies } from './restock';

/** What the invocation answers: the restock that holds, and whether this request applied it. */
export type RestockResponse = AppliedRestock & {
  /** False when the restock_id had been applied before: the units were not added again. */
  readonly applied: boolean;
};

/**
 * A restock invoked directly with `{ restock_id, product_id, quantity }` (the console, the CLI, an
 * operations script). An invalid request fails the invocation with InvalidRestockRequestError and
 * every problem listed.
 */
export function restockRequest(deps: RestockDependencies): (event: unknown) => Promise<RestockResponse> {
  return async (event) => {
    const { kind, restock: held } = await restock(parseRestockRequest(event), deps);
    const response: RestockResponse = { ...held, applied: kind === 'restocked' };
    metrics.addMetric(response.applied ? METRICS.stockRestocked : METRICS.restocksRepeated, MetricUnit.Count, 1);
    logger.info(response.applied ? 'Stock restocked' : 'Restock already applied; stock change re-emitted', {
      ...response,
    });
    return response;
  };
}
