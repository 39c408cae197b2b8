import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics } from '../shared/observability';
import { createClickApi } from './click-api';
import { clickApiConfigFromEnv } from './config';

/**
 * HTTP API (payload 2.0): POST /clicks. One produce request per HTTP request, acknowledged by all
 * in-sync replicas before the 202. The producer lives as long as the execution environment.
 */
const config = clickApiConfigFromEnv();

export const handleClickApiRequest = createClickApi({
  publisher: new KafkaEventPublisher(config.kafka),
  now: () => new Date(),
});

export const handler = middy(handleClickApiRequest)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
