import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbOutboxStore } from '../shared/orders/outbox-store';
import { outboxRelayConfigFromEnv } from './config';
import { outboxRelayConsumer } from './outbox-relay-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Outbox relay: the outbox table's DynamoDB stream to Kafka. 1 DynamoDB round trip and 1 produce
 * request per batch (DYNAMODB_COSTS.outboxRelay): the stream carries the whole items, the batch goes
 * out in one send and is marked published for the sweeper in one TransactWriteItems.
 */
const config = outboxRelayConfigFromEnv();

export const lambdaHandler = outboxRelayConsumer(
  new KafkaEventPublisher(config.kafka),
  new DynamoDbOutboxStore(dynamo, config.outboxTable),
);

export const handler = withObservability(lambdaHandler, { resetKeys: true });
