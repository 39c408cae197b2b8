/** The environment the CDK app gives the analytics functions, set before the handler modules load. */
Object.assign(process.env, {
  ANALYTICS_TABLE: 'analytics',
  ORDERS_TABLE: 'orders',
  NOTIFICATIONS_TABLE: 'notifications',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'analytics',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
