import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import type { EventPublisher } from '../shared/kafka/publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { outgoingEventOfStreamRecord } from './adapters/outbox-stream';
import { outboxRelayConfig } from './consumer-config';

/**
 * Relays the transactional outbox to Kafka: every INSERT on the outbox table stream (the mapping
 * filters out the REMOVEs that TTL expiry produces) is published to its topic under its key, in
 * stream order. 0 DynamoDB round trips: the stream carries the whole item and TTL deletes it later.
 *
 * Delivery is at least once. When a publish fails, that record and everything after it are
 * retried (batchItemFailures, with ReportBatchItemFailures on the mapping), so order is kept; a
 * publish that reached the broker before the failure is then sent again, and a retry after a
 * timeout can write the same event_id at a new offset. That is enough because every consumer is
 * idempotent on the business key (order_id and step): a second OrderCreated charges nothing.
 */
export function createOutboxRelay(publisher: EventPublisher) {
  return async function relayOutbox(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT') continue;
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        const outgoing = outgoingEventOfStreamRecord(record);
        await publisher.publish([outgoing]);
        metrics.addMetric('OutboxEventsRelayed', MetricUnit.Count, 1);
        const createdAt = record.dynamodb?.ApproximateCreationDateTime;
        if (createdAt !== undefined) {
          metrics.addMetric('OutboxRelayLag', MetricUnit.Milliseconds, Math.max(0, Date.now() - createdAt * 1000));
        }
      } catch (error) {
        // A malformed item fails the same way: the mapping's bounded retries and on-failure
        // destination take it out of the shard, and it is never silently skipped.
        logger.error('Outbox relay failed; this record and the ones after it will be retried', {
          sequence_number: sequenceNumber,
          event_id: record.dynamodb?.Keys?.event_id?.S,
          error: error as Error,
        });
        metrics.addMetric('OutboxRelayFailures', MetricUnit.Count, 1);
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

const config = outboxRelayConfig();
const publisher = new KafkaEventPublisher(config.kafka);

export const relayOutbox = createOutboxRelay(publisher);

export const handler = middy(relayOutbox)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
