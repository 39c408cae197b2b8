import { dynamo } from '../shared/dynamodb';
import { DynamoDbAnalyticsReader, DynamoDbOperationsReader } from './adapters/dynamodb-analytics-reader';
import { createAnalyticsApi } from './analytics-api';
import { analyticsApiConfigFromEnv } from './config';
import { withObservability } from '../shared/lambda-handler';

/**
 * HTTP API (payload 2.0): the analytics reads and the dashboard page. Round trips: popular products
 * 1-2 BatchGetItem (5 or 60 minute windows) and 1 for the products' totals; recent 1 GetItem;
 * summary 1 BatchGetItem of the totals' shards, 5 of the hour's minute shards, 1 of the operations
 * counters' shards (twice: orders and emails) and 1 Query of the sent emails' index; never a Scan.
 */
const config = analyticsApiConfigFromEnv();

export const handleAnalyticsApiRequest = createAnalyticsApi({
  analytics: new DynamoDbAnalyticsReader(dynamo, config.analyticsTable),
  operations: new DynamoDbOperationsReader(dynamo, config),
  now: () => new Date(),
});

export const handler = withObservability(handleAnalyticsApiRequest, { resetKeys: true });
