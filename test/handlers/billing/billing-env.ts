/**
 * The environment the CDK app gives the billing function, set before the handler module loads
 * (it reads its configuration once, at import). Imported first by the handler tests.
 */
Object.assign(process.env, {
  PAYMENTS_TABLE: 'payments',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'billing',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
