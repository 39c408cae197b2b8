import { dynamo } from '../shared/dynamodb';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { withObservability } from '../shared/lambda-handler';
import { DynamoDbOutboxStore } from '../shared/orders/outbox-store';
import { outboxSweeperConfigFromEnv } from './config';
import { outboxSweeperConsumer } from './outbox-sweeper-consumer';

/**
 * Outbox sweeper, on an EventBridge schedule: one Query of the sparse index per run, then per
 * stranded entry a publish and a conditional UpdateItem (the mark).
 */
const config = outboxSweeperConfigFromEnv();

/** Per run; a backlog beyond it is taken by the next runs. */
const SWEEP_LIMIT = 500;

export const lambdaHandler = outboxSweeperConsumer(
  {
    outbox: new DynamoDbOutboxStore(dynamo, config.outboxTable),
    publisher: new KafkaEventPublisher(config.kafka),
    now: () => new Date(),
  },
  { olderThanMs: config.olderThanMs, limit: SWEEP_LIMIT },
);

export const handler = withObservability(lambdaHandler, { resetKeys: true });
