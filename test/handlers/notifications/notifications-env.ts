/** The environment the CDK app gives the notification function, set before the handler module loads. */
Object.assign(process.env, {
  NOTIFICATIONS_TABLE: 'notifications',
  ORDERS_TABLE: 'orders',
  ANALYTICS_TABLE: 'analytics',
  EMAIL_TRANSPORT: 'ses',
  EMAIL_FROM: 'shop@example.com',
  SES_CONFIGURATION_SET: 'order-pipeline-dev-notifications',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'notifications',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
