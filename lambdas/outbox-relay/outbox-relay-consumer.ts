import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { METRICS } from '../shared/contracts/metrics';
import type { OutgoingEvent } from '../shared/kafka/publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { outgoingEventOfStreamRecord } from './adapters/outbox-stream';
import type { EventPublisher, OutboxStore } from './ports';

/**
 * The outbox relay: the INSERTs of a batch of the outbox table stream are published to their topics
 * under their keys in one send, in stream order, then marked published in one write; a failure
 * returns the first record not published and everything after it (docs/design.md, "Outbox").
 * The mapping filters out the REMOVEs that TTL expiry produces.
 */
export function outboxRelayConsumer(
  publisher: EventPublisher,
  outbox: OutboxStore,
  now: () => Date = () => new Date(),
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const { relayed, malformed } = decode(event.Records.filter((record) => record.eventName === 'INSERT'));
    if (relayed.length > 0) {
      try {
        await publisher.publish(relayed.map((r) => r.outgoing));
      } catch (error) {
        // The whole send is retried: events it did get out come again under their event_ids.
        return failedFrom(relayed[0]!.record, error);
      }
      metrics.addMetric(METRICS.outboxEventsRelayed, MetricUnit.Count, relayed.length);
      await markPublished(
        outbox,
        relayed.map((r) => r.outgoing.event.event_id),
        now(),
      );
      for (const { record } of relayed) {
        const createdAt = record.dynamodb?.ApproximateCreationDateTime;
        if (createdAt !== undefined) {
          metrics.addMetric(
            METRICS.outboxRelayLag,
            MetricUnit.Milliseconds,
            Math.max(0, Date.now() - createdAt * 1000),
          );
        }
      }
    }
    // A malformed item fails the same way every time: the mapping's bounded retries and on-failure
    // destination take it out of the shard, and it is never silently skipped.
    return malformed ? failedFrom(malformed.record, malformed.error) : { batchItemFailures: [] };
  };
}

/** The records up to the first that is not a whole outbox entry, decoded, and that one. */
function decode(records: readonly DynamoDBRecord[]): {
  relayed: { record: DynamoDBRecord; outgoing: OutgoingEvent }[];
  malformed?: { record: DynamoDBRecord; error: unknown };
} {
  const relayed: { record: DynamoDBRecord; outgoing: OutgoingEvent }[] = [];
  for (const record of records) {
    try {
      relayed.push({ record, outgoing: outgoingEventOfStreamRecord(record) });
    } catch (error) {
      return { relayed, malformed: { record, error } };
    }
  }
  return { relayed };
}

function failedFrom(record: DynamoDBRecord, error: unknown): DynamoDBBatchResponse {
  const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
  logger.error('Outbox relay failed; this record and the ones after it will be retried', {
    sequence_number: sequenceNumber,
    event_id: record.dynamodb?.Keys?.event_id?.S,
    error: error as Error,
  });
  metrics.addMetric(METRICS.outboxRelayFailures, MetricUnit.Count, 1);
  return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
}

/**
 * The mark tells the sweeper these entries reached Kafka. Failing the records for a failed mark would
 * publish them again and stall the shard; leaving them unmarked only lets the sweeper publish them once more.
 */
async function markPublished(outbox: OutboxStore, eventIds: readonly string[], at: Date): Promise<void> {
  try {
    await outbox.markPublished(eventIds, at);
  } catch (error) {
    logger.warn('Published, but the outbox entries could not be marked; the sweeper will publish them again', {
      event_ids: eventIds,
      error: error as Error,
    });
    metrics.addMetric(METRICS.outboxMarkFailures, MetricUnit.Count, eventIds.length);
  }
}
