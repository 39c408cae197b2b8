import { tablesFromEnv } from '../shared/config';
import { functionName } from '../shared/contracts/functions';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';

/** A DynamoDB stream consumer: no Kafka batch mode, the producer connection and the outbox table it marks. */
export interface OutboxRelayConfig {
  readonly kafka: KafkaConnection;
  readonly outboxTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function outboxRelayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OutboxRelayConfig {
  return {
    kafka: kafkaConnectionFromEnv(functionName('outboxRelay'), env),
    ...tablesFromEnv({ outboxTable: 'outbox' }, env),
  };
}
