import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

export interface BillingConfig extends KafkaConsumerConfig {
  readonly paymentsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function billingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  return { paymentsTable: requireEnv(TABLES.payments.envVar, env), ...kafkaConsumerConfigFromEnv('billing', env) };
}
