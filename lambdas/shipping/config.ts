import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { partialBatchResponseFromEnv } from '../shared/kafka/batch';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';

export interface ShippingConfig {
  readonly shipmentsTable: string;
  readonly kafka: KafkaConnection;
  /** Mirrors the mapping's ReportBatchItemFailures setting (see kafkaBatchHandler). */
  readonly partialBatchResponse: boolean;
}

export function loadShippingConfig(env: NodeJS.ProcessEnv = process.env): ShippingConfig {
  return {
    shipmentsTable: requireEnv(TABLES.shipments.envVar, env),
    kafka: kafkaConnectionFromEnv('shipping', env),
    partialBatchResponse: partialBatchResponseFromEnv(env),
  };
}
