import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { logger, metrics } from '../shared/observability';
import { DynamoDbAnalyticsReader, DynamoDbOperationsReader } from './adapters/dynamodb-analytics-reader';
import { createAnalyticsApi } from './analytics-api';
import { analyticsApiConfigFromEnv } from './config';

/**
 * HTTP API (payload 2.0): the analytics reads and the dashboard page. Round trips: popular products
 * 1-2 BatchGetItem (5 or 60 minute windows) and 1 for the products' totals; recent 1 GetItem;
 * summary 1 GetItem, 1 BatchGetItem and bounded Scans of the orders and notifications tables.
 */
const config = analyticsApiConfigFromEnv();

export const handleAnalyticsApiRequest = createAnalyticsApi({
  analytics: new DynamoDbAnalyticsReader(dynamo, config.analyticsTable),
  operations: new DynamoDbOperationsReader(dynamo, config),
  now: () => new Date(),
});

export const handler = middy(handleAnalyticsApiRequest)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
