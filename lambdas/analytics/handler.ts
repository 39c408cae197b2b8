import { DynamoDbHopTimings } from '../shared/analytics/dynamodb-hop-timings';
import { withHopTimings } from '../shared/kafka/hop-timings';
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

// One UpdateItem per invocation: its records' time in the topic and in the invocation (the dashboard's per-hop figures).
export const handler = withObservability(
  withHopTimings('analytics', lambdaHandler, new DynamoDbHopTimings(dynamo, config.analyticsTable)),
);
