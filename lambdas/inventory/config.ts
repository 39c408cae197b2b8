import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';
import type { StockTables } from './adapters/dynamodb-stock-store';

export interface InventoryConfig extends KafkaConsumerConfig {
  readonly tables: StockTables;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function inventoryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  return {
    tables: { stock: requireEnv(TABLES.stock.envVar, env), reservations: requireEnv(TABLES.reservations.envVar, env) },
    ...kafkaConsumerConfigFromEnv('inventory', env),
  };
}
