/**
 * The environment the CDK app gives the archive function, set before the handler module loads
 * (it reads its configuration once, at import). Imported first by the handler tests.
 */
Object.assign(process.env, {
  ARCHIVE_BUCKET: 'order-pipeline-archive',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_SERVICE_NAME: 'archive',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
});
