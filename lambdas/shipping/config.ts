import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

export interface ShippingConfig extends KafkaConsumerConfig {
  readonly shipmentsTable: string;
  /** Where each invocation's per-hop timings go (the dashboard's, shared/analytics/hop-timings.ts). */
  readonly analyticsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function shippingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ShippingConfig {
  return {
    shipmentsTable: requireEnv(TABLES.shipments.envVar, env),
    analyticsTable: requireEnv(TABLES.analytics.envVar, env),
    ...kafkaConsumerConfigFromEnv('shipping', env),
  };
}
