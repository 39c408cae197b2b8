import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbAnalyticsStore } from './adapters/dynamodb-analytics-store';
import { analyticsConsumer } from './analytics-consumer';
import { analyticsConfigFromEnv } from './config';
import { withObservability } from '../shared/lambda-handler';

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

export const handler = withObservability(lambdaHandler);
