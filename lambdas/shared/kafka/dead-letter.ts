import type { MSKRecord } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type { DeadLetter } from '../contracts/events';
import { TOPICS } from '../contracts/topics';
import { isBase64 } from '../encoding';
import { deterministicId } from '../ids';
import { toTopic, type OutgoingEvent } from './publisher';

/** Largest dead letter (its JSON value); far under the broker's 1 MB, so it is never refused for size. */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;
/** Bytes of a large value kept in the dead letter: enough to recognise the record. */
export const DEAD_LETTER_VALUE_PREFIX_BYTES = 32 * 1024;
const MAX_KEY_BYTES = 3 * 1024;
const MAX_REASON_CHARS = 2_000;

/** A field as base64, whole when it fits `maxBytes`, else its first `maxBytes` bytes. */
function bounded(encoded: string, maxBytes: number): { readonly value: string; readonly truncated: boolean } {
  if (encoded.length <= Math.ceil(maxBytes / 3) * 4) return { value: encoded, truncated: false };
  const bytes = isBase64(encoded) ? Buffer.from(encoded, 'base64') : Buffer.from(encoded, 'utf8');
  return { value: bytes.subarray(0, maxBytes).toString('base64'), truncated: true };
}

/**
 * The dead-letter event for a poison record: the reason, which consumer gave up, where the record
 * is (topic, partition, offset) and what it was (size and SHA-256 of its value, its key and the
 * value or, for a large one, its first bytes). Its event_id is derived from the source position, so
 * a redelivered batch dead-letters the same record under the same id. `valuePrefixBytes: 0` keeps
 * no value at all, for a broker that refuses even the bounded dead letter.
 */
export function deadLetterFor(
  record: MSKRecord,
  consumer: string,
  reason: string,
  now: Date,
  valuePrefixBytes = DEAD_LETTER_VALUE_PREFIX_BYTES,
): OutgoingEvent {
  const encodedValue = (record.value as string | null | undefined) ?? null;
  // Lambda always delivers base64; a value that is not is hashed as the text it is.
  const bytes =
    encodedValue === null ? Buffer.alloc(0) : Buffer.from(encodedValue, isBase64(encodedValue) ? 'base64' : 'utf8');
  const value = encodedValue === null ? null : bounded(encodedValue, valuePrefixBytes);
  const key = record.key === undefined || record.key === null ? null : bounded(record.key, MAX_KEY_BYTES);
  const event: DeadLetter = {
    event_type: 'DeadLetter',
    event_id: deterministicId('dead-letter', consumer, record.topic, record.partition, record.offset),
    timestamp: now.toISOString(),
    consumer,
    reason: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: key?.value ?? null,
      value: value?.value ?? null,
      value_size: bytes.length,
      value_sha256: createHash('sha256').update(bytes).digest('hex'),
      value_truncated: value?.truncated ?? false,
      ...(key?.truncated ? { key_truncated: true } : {}),
    },
  };
  return toTopic(TOPICS.deadLetter.name, event);
}
