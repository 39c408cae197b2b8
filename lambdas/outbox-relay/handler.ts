import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics } from '../shared/observability';
import { outboxRelayConfigFromEnv } from './config';
import { outboxRelayConsumer } from './outbox-relay-consumer';

/**
 * Outbox relay: the outbox table's DynamoDB stream to Kafka. 0 DynamoDB round trips: the stream
 * carries the whole item and TTL deletes it later.
 */
const config = outboxRelayConfigFromEnv();

export const lambdaHandler = outboxRelayConsumer(new KafkaEventPublisher(config.kafka));

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
