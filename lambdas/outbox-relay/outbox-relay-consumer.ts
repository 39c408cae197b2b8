import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { outgoingEventOfStreamRecord } from './adapters/outbox-stream';
import type { EventPublisher } from './ports';

/**
 * The outbox relay: every INSERT on the outbox table stream is published to its topic under its key,
 * in stream order; a failure returns that record and everything after it (docs/design.md, "Outbox").
 * The mapping filters out the REMOVEs that TTL expiry produces.
 */
export function outboxRelayConsumer(
  publisher: EventPublisher,
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT') continue;
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        await publisher.publish([outgoingEventOfStreamRecord(record)]);
        metrics.addMetric(METRICS.outboxEventsRelayed, MetricUnit.Count, 1);
        const createdAt = record.dynamodb?.ApproximateCreationDateTime;
        if (createdAt !== undefined) {
          metrics.addMetric(
            METRICS.outboxRelayLag,
            MetricUnit.Milliseconds,
            Math.max(0, Date.now() - createdAt * 1000),
          );
        }
      } catch (error) {
        // A malformed item fails the same way: the mapping's bounded retries and on-failure
        // destination take it out of the shard, and it is never silently skipped.
        logger.error('Outbox relay failed; this record and the ones after it will be retried', {
          sequence_number: sequenceNumber,
          event_id: record.dynamodb?.Keys?.event_id?.S,
          error: error as Error,
        });
        metrics.addMetric(METRICS.outboxRelayFailures, MetricUnit.Count, 1);
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
