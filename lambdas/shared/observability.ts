import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './contracts/metrics';

/**
 * One structured JSON logger and one metrics emitter (CloudWatch EMF) per function, created once
 * per process. POWERTOOLS_SERVICE_NAME, set by the CDK app, names the service.
 */
export const logger = new Logger();
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
export { MetricUnit } from '@aws-lambda-powertools/metrics';
