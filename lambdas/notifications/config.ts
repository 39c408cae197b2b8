import { requireEnum, requireEnv } from '../shared/config';
import { ENV } from '../shared/contracts/environment';
import { TABLES } from '../shared/contracts/tables';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

export type EmailTransportConfig =
  { readonly kind: 'ses'; readonly configurationSet: string } | { readonly kind: 'smtp'; readonly url: string };

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
  const kind = requireEnum(ENV.emailTransport, ['ses', 'smtp'] as const, env);
  return {
    notificationsTable: requireEnv(TABLES.notifications.envVar, env),
    ordersTable: requireEnv(TABLES.orders.envVar, env),
    analyticsTable: requireEnv(TABLES.analytics.envVar, env),
    from: requireEnv(ENV.emailFrom, env),
    transport:
      kind === 'ses'
        ? { kind, configurationSet: requireEnv(ENV.sesConfigurationSet, env) }
        : { kind, url: requireEnv(ENV.smtpUrl, env) },
    ...kafkaConsumerConfigFromEnv('notifications', env),
  };
}
