import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

export interface ShippingConfig extends KafkaConsumerConfig {
  readonly shipmentsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function shippingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ShippingConfig {
  return { shipmentsTable: requireEnv(TABLES.shipments.envVar, env), ...kafkaConsumerConfigFromEnv('shipping', env) };
}
