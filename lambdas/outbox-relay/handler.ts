import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { DynamoDbOutboxStore } from '../shared/orders/outbox-store';
import { outboxRelayConfigFromEnv } from './config';
import { outboxRelayConsumer } from './outbox-relay-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Outbox relay: the outbox table's DynamoDB stream to Kafka. 1 DynamoDB round trip per event: the
 * stream carries the whole item, and the relay marks it published for the sweeper.
 */
const config = outboxRelayConfigFromEnv();

export const lambdaHandler = outboxRelayConsumer(
  new KafkaEventPublisher(config.kafka),
  new DynamoDbOutboxStore(dynamo, config.outboxTable),
);

export const handler = withObservability(lambdaHandler, { resetKeys: true });
