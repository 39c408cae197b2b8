import { requireEnv } from '../shared/config';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

export interface AnalyticsConfig extends KafkaConsumerConfig {
  readonly analyticsTable: string;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function analyticsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AnalyticsConfig {
  return { analyticsTable: requireEnv(TABLES.analytics.envVar, env), ...kafkaConsumerConfigFromEnv('analytics', env) };
}
