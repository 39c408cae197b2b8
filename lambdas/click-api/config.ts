import { functionName } from '../shared/contracts/functions';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';

export interface ClickApiConfig {
  readonly kafka: KafkaConnection;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function clickApiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ClickApiConfig {
  return { kafka: kafkaConnectionFromEnv(functionName('clickApi'), env) };
}
