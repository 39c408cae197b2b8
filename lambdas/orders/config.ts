import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { partialBatchResponseFromEnv } from '../shared/kafka/batch';

/**
 * The order service's functions need different settings; each reads its own once, at module load,
 * so that a missing variable fails the cold start rather than a request. The Kafka settings live in
 * consumer-config.ts: importing the Kafka client here would put it in the API's bundle.
 */
export interface OrderApiConfig {
  readonly ordersTable: string;
  readonly outboxTable: string;
}

export function orderApiConfig(env: NodeJS.ProcessEnv = process.env): OrderApiConfig {
  return {
    ordersTable: requireEnv(TABLES.orders.envVar, env),
    outboxTable: requireEnv(TABLES.outbox.envVar, env),
  };
}

export interface OrderStatusTableConfig {
  readonly ordersTable: string;
  /** Whether the Kafka mappings report batchItemFailures (see kafkaBatchHandler). */
  readonly partialBatchResponse: boolean;
}

export function orderStatusTableConfig(env: NodeJS.ProcessEnv = process.env): OrderStatusTableConfig {
  return {
    ordersTable: requireEnv(TABLES.orders.envVar, env),
    partialBatchResponse: partialBatchResponseFromEnv(env),
  };
}
