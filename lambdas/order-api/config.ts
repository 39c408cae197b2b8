import { tablesFromEnv } from '../shared/config';

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
    ...tablesFromEnv(
      { ordersTable: 'orders', outboxTable: 'outbox', catalogTable: 'catalog', analyticsTable: 'analytics' },
      env,
    ),
  };
}
