import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';

/** No Kafka here: the API writes the outbox, the relay publishes it (and the client stays out of the bundle). */
export interface OrderApiConfig {
  readonly ordersTable: string;
  readonly outboxTable: string;
  readonly catalogTable: string;
  /** Where the orders-by-status counters live: an order created counts as PLACED there. */
  readonly analyticsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function orderApiConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OrderApiConfig {
  return {
    ordersTable: requireEnv(TABLES.orders.envVar, env),
    outboxTable: requireEnv(TABLES.outbox.envVar, env),
    catalogTable: requireEnv(TABLES.catalog.envVar, env),
    analyticsTable: requireEnv(TABLES.analytics.envVar, env),
  };
}
