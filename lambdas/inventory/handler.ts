import { DynamoDbHopTimings } from '../shared/analytics/dynamodb-hop-timings';
import { withHopTimings } from '../shared/kafka/hop-timings';
import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbStockStore } from './adapters/dynamodb-stock-store';
import { inventoryConfigFromEnv } from './config';
import { inventoryConsumer } from './inventory-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Inventory: MSK event source mapping on `billing_outcome`, filtered on payment_status = paid.
 * DynamoDB round trips per record: 1 when the stock is reserved or the order was already decided
 * (one TransactWriteItems, whose failed condition returns the existing reservation); 2 when out of
 * stock (the transaction, then the conditional Put of the rejection).
 */
const config = inventoryConfigFromEnv();

export const lambdaHandler = inventoryConsumer({
  stock: new DynamoDbStockStore(dynamo, config.tables),
  publisher: new KafkaEventPublisher(config.kafka),
  partialBatchResponse: config.partialBatchResponse,
  now: () => new Date(),
});

// One UpdateItem per invocation: its records' time in the topic and in the invocation (the dashboard's per-hop figures).
export const handler = withObservability(
  withHopTimings('inventory', lambdaHandler, new DynamoDbHopTimings(dynamo, config.analyticsTable)),
);
