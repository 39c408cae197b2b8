import { functionName, type FunctionId } from '../contracts/functions';
import { partialBatchResponseFromEnv } from './batch';
import { kafkaConnectionFromEnv, type KafkaConnection } from './kafka-publisher';

/** What every Kafka consumer reads the same way: its producer connection and its batch mode. */
export interface KafkaConsumerConfig {
  readonly kafka: KafkaConnection;
  /** Mirrors the mappings' ReportBatchItemFailures setting (see kafkaBatchHandler). */
  readonly partialBatchResponse: boolean;
}

export function kafkaConsumerConfigFromEnv(functionId: FunctionId, env: NodeJS.ProcessEnv): KafkaConsumerConfig {
  return {
    kafka: kafkaConnectionFromEnv(functionName(functionId), env),
    partialBatchResponse: partialBatchResponseFromEnv(env),
  };
}
