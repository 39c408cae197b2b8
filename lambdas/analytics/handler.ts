import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics } from '../shared/observability';
import { DynamoDbAnalyticsStore } from './adapters/dynamodb-analytics-store';
import { analyticsConsumer } from './analytics-consumer';
import { analyticsConfigFromEnv } from './config';

/**
 * Analytics: MSK event source mappings on `clicks`, `billing_outcome` (paid only) and `dead_letter`.
 * DynamoDB round trips per record: 1 (one TransactWriteItems: the marker and every counter it
 * moves), more only when a concurrent transaction on a shared counter conflicts.
 */
const config = analyticsConfigFromEnv();

export const lambdaHandler = analyticsConsumer({
  store: new DynamoDbAnalyticsStore(dynamo, config.analyticsTable),
  publisher: new KafkaEventPublisher(config.kafka),
  partialBatchResponse: config.partialBatchResponse,
  now: () => new Date(),
});

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
