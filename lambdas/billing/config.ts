import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { partialBatchResponseFromEnv } from '../shared/kafka/batch';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';

export interface BillingConfig {
  readonly paymentsTable: string;
  readonly kafka: KafkaConnection;
  readonly partialBatchResponse: boolean;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function billingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  return {
    paymentsTable: requireEnv(TABLES.payments.envVar, env),
    kafka: kafkaConnectionFromEnv('billing', env),
    partialBatchResponse: partialBatchResponseFromEnv(env),
  };
}
