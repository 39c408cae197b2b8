import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { outboxRelayConfigFromEnv } from './config';
import { outboxRelayConsumer } from './outbox-relay-consumer';
import { withObservability } from '../shared/lambda-handler';

/**
 * Outbox relay: the outbox table's DynamoDB stream to Kafka. 0 DynamoDB round trips: the stream
 * carries the whole item and TTL deletes it later.
 */
const config = outboxRelayConfigFromEnv();

export const lambdaHandler = outboxRelayConsumer(new KafkaEventPublisher(config.kafka));

export const handler = withObservability(lambdaHandler, { resetKeys: true });
