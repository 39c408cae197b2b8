import { requireEnum, requireEnv } from '../shared/config';
import { ENV } from '../shared/contracts/environment';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

/** Amazon SES v2, in AWS and locally (where its calls reach the SES v2 stand-in through the local gateway). */
export interface EmailTransportConfig {
  readonly kind: 'ses';
  readonly configurationSet: string;
}

export interface NotificationsConfig extends KafkaConsumerConfig {
  readonly notificationsTable: string;
  readonly ordersTable: string;
  /** Where the count of emails sent lives (ANALYTICS_KEYS.operations). */
  readonly analyticsTable: string;
  readonly from: string;
  readonly transport: EmailTransportConfig;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function notificationsConfigFromEnv(env: NodeJS.ProcessEnv = process.env): NotificationsConfig {
  const kind = requireEnum(ENV.emailTransport, ['ses'] as const, env);
  return {
    notificationsTable: requireEnv(TABLES.notifications.envVar, env),
    ordersTable: requireEnv(TABLES.orders.envVar, env),
    analyticsTable: requireEnv(TABLES.analytics.envVar, env),
    from: requireEnv(ENV.emailFrom, env),
    transport: { kind, configurationSet: requireEnv(ENV.sesConfigurationSet, env) },
    ...kafkaConsumerConfigFromEnv('notifications', env),
  };
}
