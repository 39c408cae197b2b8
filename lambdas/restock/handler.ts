import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics } from '../shared/observability';
import { DynamoDbStockLevels } from './adapters/dynamodb-stock-levels';
import { restockConfigFromEnv } from './config';
import { restockRequest } from './restock-request';

/** Restock: invoked directly. One DynamoDB round trip per request (a TransactWriteItems). */
const config = restockConfigFromEnv();

export const lambdaHandler = restockRequest({
  stock: new DynamoDbStockLevels(dynamo, config.stockTable),
  publisher: new KafkaEventPublisher(config.kafka),
  now: () => new Date(),
});

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
