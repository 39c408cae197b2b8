import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { parseRestockRequest, restock, type RestockDependencies, type RestockOutcome } from './restock';

/**
 * A restock invoked directly with `{ restock_id, product_id, quantity }` (the console, the CLI, an
 * operations script). An invalid request fails the invocation with InvalidRestockRequestError and
 * every problem listed.
 */
export function restockRequest(deps: RestockDependencies): (event: unknown) => Promise<RestockOutcome> {
  return async (event) => {
    const outcome = await restock(parseRestockRequest(event), deps);
    metrics.addMetric(outcome.applied ? METRICS.stockRestocked : METRICS.restocksRepeated, MetricUnit.Count, 1);
    logger.info(outcome.applied ? 'Stock restocked' : 'Restock already applied; stock change re-emitted', {
      ...outcome,
    });
    return outcome;
  };
}
