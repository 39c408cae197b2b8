/**
 * The environment the CDK app gives the order functions, set before a handler module loads (each
 * reads its configuration once, at import). Imported first by the handler tests.
 */
Object.assign(process.env, {
  ORDERS_TABLE: 'orders',
  OUTBOX_TABLE: 'orders-outbox',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'orders',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
