/**
 * The environment the CDK app gives the inventory and restock functions, set before the handler
 * modules load (they read their configuration once, at import). Imported first by the handler tests.
 */
Object.assign(process.env, {
  STOCK_TABLE: 'stock',
  RESERVATIONS_TABLE: 'reservations',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'inventory',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
