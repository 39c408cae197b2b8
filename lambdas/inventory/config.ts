import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { partialBatchResponseFromEnv } from '../shared/kafka/batch';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';
import type { StockTables } from './adapters/dynamodb-stock-store';

export interface InventoryConfig {
  readonly tables: StockTables;
  readonly kafka: KafkaConnection;
  readonly partialBatchResponse: boolean;
}

export interface RestockConfig {
  readonly stockTable: string;
  readonly kafka: KafkaConnection;
}

/** The inventory consumer's settings, read once by handler.ts at cold start. */
export function inventoryConfigFromEnv(env: NodeJS.ProcessEnv = process.env): InventoryConfig {
  return {
    tables: { stock: requireEnv(TABLES.stock.envVar, env), reservations: requireEnv(TABLES.reservations.envVar, env) },
    kafka: kafkaConnectionFromEnv('inventory', env),
    partialBatchResponse: partialBatchResponseFromEnv(env),
  };
}

/** The restock function is invoked directly, not by a mapping: no batch settings, no reservations table. */
export function restockConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RestockConfig {
  return {
    stockTable: requireEnv(TABLES.stock.envVar, env),
    kafka: kafkaConnectionFromEnv('restock', env),
  };
}
