import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbStockLevels } from './adapters/dynamodb-stock-levels';
import { restockConfigFromEnv } from './config';
import { restockRequest } from './restock-request';
import { withObservability } from '../shared/lambda-handler';

/** Restock: invoked directly. One DynamoDB round trip per request (a TransactWriteItems). */
const config = restockConfigFromEnv();

export const lambdaHandler = restockRequest({
  stock: new DynamoDbStockLevels(dynamo, config.stockTable),
  publisher: new KafkaEventPublisher(config.kafka),
  now: () => new Date(),
});

export const handler = withObservability(lambdaHandler);
