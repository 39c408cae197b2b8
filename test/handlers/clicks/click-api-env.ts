/** The environment the CDK app gives the click API, set before the handler module loads. */
Object.assign(process.env, {
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'click-api',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
