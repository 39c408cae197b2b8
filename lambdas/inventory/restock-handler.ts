import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { DynamoDbStockLevels } from './adapters/dynamodb-stock-store';
import { restockConfigFromEnv } from './config';
import { parseRestockRequest, restock, type RestockOutcome } from './restock';

/**
 * Restock: invoked directly with `{ restock_id, product_id, quantity }` (the console, the CLI, an
 * operations script). An invalid request fails the invocation with InvalidRestockRequestError and
 * every problem listed. One DynamoDB round trip per request.
 */
const config = restockConfigFromEnv();
const stock = new DynamoDbStockLevels(dynamo, config.stockTable);
const publisher = new KafkaEventPublisher(config.kafka);

export async function lambdaHandler(event: unknown): Promise<RestockOutcome> {
  const request = parseRestockRequest(event);
  const outcome = await restock(request, { stock, publisher, now: () => new Date() });
  metrics.addMetric(outcome.applied ? 'StockRestocked' : 'RestocksRepeated', MetricUnit.Count, 1);
  logger.info(outcome.applied ? 'Stock restocked' : 'Restock already applied; stock change re-emitted', { ...outcome });
  return outcome;
}

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
