import { tablesFromEnv } from '../shared/config';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

/** Its Kafka producer is for dead letters only: the projector emits no events of its own. */
export interface OrderStatusConfig extends KafkaConsumerConfig {
  readonly ordersTable: string;
  /** Where the orders-by-status counters live (ANALYTICS_KEYS.operations). */
  readonly analyticsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function orderStatusConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OrderStatusConfig {
  return {
    ...tablesFromEnv({ ordersTable: 'orders', analyticsTable: 'analytics' }, env),
    ...kafkaConsumerConfigFromEnv('orderStatus', env),
  };
}
