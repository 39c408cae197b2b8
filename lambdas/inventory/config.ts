import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';
import type { StockTables } from './adapters/dynamodb-stock-store';

export interface InventoryConfig extends KafkaConsumerConfig {
  readonly tables: StockTables;
  /** Where each invocation's per-hop timings go (the dashboard's, shared/analytics/hop-timings.ts). */
  readonly analyticsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function inventoryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  return {
    tables: { stock: requireEnv(TABLES.stock.envVar, env), reservations: requireEnv(TABLES.reservations.envVar, env) },
    analyticsTable: requireEnv(TABLES.analytics.envVar, env),
    ...kafkaConsumerConfigFromEnv('inventory', env),
  };
}
