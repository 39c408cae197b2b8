import { requireEnum, requireEnv } from '../shared/config';
import { ENV } from '../shared/contracts/environment';
import { TABLES } from '../shared/contracts/tables';
import type { AwsClientTimeouts } from '../shared/aws-client-config';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';

/**
 * The SES client's timeouts: one attempt, whose connect and answer fit the batch loop's safety margin
 * (a send starts only with that margin left). SendEmail takes no idempotency token (its request
 * members: ConfigurationSetName, Content, Destination, EmailTags, EndpointId, the feedback and From
 * addresses, ListManagementOptions, ReplyToAddresses;
 * https://docs.aws.amazon.com/sdk-for-ruby/v3/api/Aws/SESV2/Types/SendEmailRequest.html), so the SDK's
 * own retry after an attempt that timed out while SES accepted it sends the email twice, unseen: a
 * local run under load did exactly that (4 and 12 duplicates in two runs of 300 orders, one
 * "Customer notified" per change). With one attempt, a send that got no answer is a
 * SendOutcomeUnknownError the batch loop retries in the open: logged, and counted on the claim this
 * delivery owns (`unanswered_sends`), so a second email it may cause is accounted for.
 */
export const SES_CLIENT_TIMEOUTS: AwsClientTimeouts = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 8_000,
  maxAttempts: 1,
};

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
