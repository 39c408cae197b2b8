import type { MSKRecord } from 'aws-lambda';
import type { DeadLetter } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { deterministicId } from '../ids';
import { toTopic, type OutgoingEvent } from './publisher';

/**
 * The dead-letter event for a poison record: the reason, which consumer gave up, and the record
 * exactly as it arrived (base64 key and value), so that it can be inspected and replayed.
 * Its event_id is derived from the source position, so a redelivered batch dead-letters the same
 * record under the same id.
 */
export function deadLetterFor(record: MSKRecord, consumer: string, reason: string, now: Date): OutgoingEvent {
  const event: DeadLetter = {
    event_type: 'DeadLetter',
    event_id: deterministicId('dead-letter', consumer, record.topic, record.partition, record.offset),
    timestamp: now.toISOString(),
    consumer,
    reason,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: record.key ?? null,
      value: (record.value as string | null | undefined) ?? null,
    },
  };
  return toTopic(TOPICS.deadLetter.name, event);
}
