/**
 * The environment variables the CDK app (and the local runtime) set and the functions read, named
 * once. Table names travel in TABLES[...].envVar; the endpoints of local stand-ins in the SDK's own
 * AWS_ENDPOINT_URL_* variables, which no code here reads.
 */
export const ENV = {
  /** Comma-separated bootstrap brokers. */
  kafkaBootstrapServers: 'KAFKA_BOOTSTRAP_SERVERS',
  /** `iam` (MSK: TLS and SASL/OAUTHBEARER) or `plaintext` (a local broker). */
  kafkaAuth: 'KAFKA_AUTH',
  /** Whether a consumer's mappings report batch item failures (see kafkaBatchHandler). */
  partialBatchResponse: 'KAFKA_PARTIAL_BATCH_RESPONSE',
  /** Records of different keys of one partition a consumer processes at once (see kafkaBatchHandler). */
  keyConcurrency: 'KAFKA_KEY_CONCURRENCY',
  archiveBucket: 'ARCHIVE_BUCKET',
  /** The outbox sweeper re-publishes unmarked entries older than this many seconds. */
  outboxSweepAfterSeconds: 'OUTBOX_SWEEP_AFTER_SECONDS',
  /** Powertools: names the service in logs and the `service` dimension of metrics. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  region: 'AWS_REGION',
  /** `ses` (the Amazon SES v2 API), the one transport; locally its calls reach the SES v2 stand-in. */
  emailTransport: 'EMAIL_TRANSPORT',
  /** The sender address; with SES, an address of the verified identity. */
  emailFrom: 'EMAIL_FROM',
  /** The SES configuration set that routes bounces, complaints and rejects to CloudWatch. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /**
   * Simulated payment provider only (README, "Simulated payment provider"); the CDK app sets
   * neither, so no deployed stage has them. Seconds after its first use that the provider forgets an
   * idempotency key (0: at once), as a real provider prunes keys; unset: it never forgets.
   */
  simulatedProviderForgetKeysAfterSeconds: 'SIMULATED_PROVIDER_FORGET_KEYS_AFTER_SECONDS',
  /** Simulated payment provider only: comma-separated order ids whose refund it refuses for good. */
  simulatedProviderRefuseRefunds: 'SIMULATED_PROVIDER_REFUSE_REFUNDS',
} as const;
