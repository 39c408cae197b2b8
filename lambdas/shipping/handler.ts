import { DynamoDbHopTimings } from '../shared/analytics/dynamodb-hop-timings';
import { withHopTimings } from '../shared/kafka/hop-timings';
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

// One UpdateItem per invocation: its records' time in the topic and in the invocation (the dashboard's per-hop figures).
export const handler = withObservability(
  withHopTimings('shipping', lambdaHandler, new DynamoDbHopTimings(dynamo, config.analyticsTable)),
);
