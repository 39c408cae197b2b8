import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { outgoingEventOfStreamRecord } from './adapters/outbox-stream';
import type { EventPublisher, OutboxStore } from './ports';

/**
 * The outbox relay: every INSERT on the outbox table stream is published to its topic under its key,
 * in stream order; a failure returns that record and everything after it (docs/design.md, "Outbox").
 * The mapping filters out the REMOVEs that TTL expiry produces.
 */
export function outboxRelayConsumer(
  publisher: EventPublisher,
  outbox: OutboxStore,
  now: () => Date = () => new Date(),
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    for (const record of event.Records) {
      if (record.eventName !== 'INSERT') continue;
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        const outgoing = outgoingEventOfStreamRecord(record);
        await publisher.publish([outgoing]);
        metrics.addMetric(METRICS.outboxEventsRelayed, MetricUnit.Count, 1);
        await markPublished(outbox, outgoing.event.event_id, now());
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

/**
 * The mark tells the sweeper this entry reached Kafka. Failing the record for a failed mark would
 * publish it again and stall the shard; leaving it unmarked only lets the sweeper publish it once more.
 */
async function markPublished(outbox: OutboxStore, eventId: string, at: Date): Promise<void> {
  try {
    await outbox.markPublished(eventId, at);
  } catch (error) {
    logger.warn('Published, but the outbox entry could not be marked; the sweeper will publish it again', {
      event_id: eventId,
      error: error as Error,
    });
    metrics.addMetric(METRICS.outboxMarkFailures, MetricUnit.Count, 1);
  }
}
