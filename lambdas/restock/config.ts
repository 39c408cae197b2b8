import { tablesFromEnv } from '../shared/config';
import { functionName } from '../shared/contracts/functions';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';

export interface RestockConfig {
  readonly stockTable: string;
  readonly kafka: KafkaConnection;
}

/** Invoked directly, not by a mapping: no batch mode. Read once by handler.ts at cold start. */
export function restockConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RestockConfig {
  return {
    ...tablesFromEnv({ stockTable: 'stock' }, env),
    kafka: kafkaConnectionFromEnv(functionName('restock'), env),
  };
}
