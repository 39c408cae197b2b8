import { DynamoDbHopTimings } from '../shared/analytics/dynamodb-hop-timings';
import { withHopTimings } from '../shared/kafka/hop-timings';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbOrderFactStore } from './adapters/dynamodb-order-fact-store';
import { DynamoDbStatusCounter } from './adapters/dynamodb-status-counter';
import { orderStatusConfigFromEnv } from './config';
import { orderStatusConsumer } from './order-status-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Order status: MSK event source mappings on billing_outcome, inventory_outcome and shipping.
 * DynamoDB round trips per record: 1 (a conditional UpdateItem), duplicates and unknown orders included,
 * and 1 more when the fact changes the order's status (the counters' TransactWriteItems).
 */
const config = orderStatusConfigFromEnv();

export const lambdaHandler = orderStatusConsumer({
  store: new DynamoDbOrderFactStore(dynamo, config.ordersTable),
  counter: new DynamoDbStatusCounter(dynamo, config.analyticsTable),
  publisher: new KafkaEventPublisher(config.kafka),
  partialBatchResponse: config.partialBatchResponse,
});

// One UpdateItem per invocation: its records' time in the topic and in the invocation (the dashboard's per-hop figures).
export const handler = withObservability(
  withHopTimings('orderStatus', lambdaHandler, new DynamoDbHopTimings(dynamo, config.analyticsTable)),
  { resetKeys: true },
);
