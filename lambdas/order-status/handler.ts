import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics } from '../shared/observability';
import { DynamoDbOrderFactStore } from './adapters/dynamodb-order-fact-store';
import { orderStatusConfigFromEnv } from './config';
import { orderStatusConsumer } from './order-status-consumer';

/**
 * Order status: MSK event source mappings on billing_outcome, inventory_outcome and shipping.
 * DynamoDB round trips per record: 1 (a conditional UpdateItem), duplicates and unknown orders included.
 */
const config = orderStatusConfigFromEnv();

export const lambdaHandler = orderStatusConsumer({
  store: new DynamoDbOrderFactStore(dynamo, config.ordersTable),
  publisher: new KafkaEventPublisher(config.kafka),
  partialBatchResponse: config.partialBatchResponse,
});

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
