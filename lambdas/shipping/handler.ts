import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbShipmentStore } from './adapters/dynamodb-shipment-store';
import { shippingConfigFromEnv } from './config';
import { shippingConsumer } from './shipping-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Shipping: MSK event source mappings on `billing_outcome` (paid) and `inventory_outcome`.
 * DynamoDB round trips per record: 1 (UpdateItem, ALL_NEW). Config and clients live for the execution environment.
 */
const config = shippingConfigFromEnv();

export const lambdaHandler = shippingConsumer({
  store: new DynamoDbShipmentStore(dynamo, config.shipmentsTable),
  publisher: new KafkaEventPublisher(config.kafka),
  partialBatchResponse: config.partialBatchResponse,
});

export const handler = withObservability(lambdaHandler);
