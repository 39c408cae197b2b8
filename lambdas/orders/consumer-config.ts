import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';
import { orderStatusTableConfig, type OrderStatusTableConfig } from './config';

/** Settings of the two order functions that talk to Kafka (kept apart from config.ts, see there). */
export interface OutboxRelayConfig {
  readonly kafka: KafkaConnection;
}

export function outboxRelayConfig(env: NodeJS.ProcessEnv = process.env): OutboxRelayConfig {
  return { kafka: kafkaConnectionFromEnv('order-outbox-relay', env) };
}

export interface OrderStatusConfig extends OrderStatusTableConfig {
  /** For dead letters only: the projector emits no events of its own. */
  readonly kafka: KafkaConnection;
}

export function orderStatusConfig(env: NodeJS.ProcessEnv = process.env): OrderStatusConfig {
  return { ...orderStatusTableConfig(env), kafka: kafkaConnectionFromEnv('order-status', env) };
}
