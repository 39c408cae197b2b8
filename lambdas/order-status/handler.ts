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

export const handler = withObservability(lambdaHandler, { resetKeys: true });
