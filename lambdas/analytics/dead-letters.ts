import { createHash } from 'node:crypto';
import { ANALYTICS_KEYS, minuteOf } from '../shared/analytics/analytics-keys';
import { decodeBase64Strict } from '../shared/encoding';
import type { MSKRecord } from '../shared/kafka/msk-event';
import type { DeadLetterCount } from './ports';

/**
 * "The minimum length of a partition key value is 1 byte. The maximum length is 2048 bytes."
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html, "Partition keys and sort keys")
 */
export const MAX_PARTITION_KEY_BYTES = 2048;

/** Where a record of the dead-letter topic is: the id it is counted by when it has no usable one of its own. */
export function positionId(record: MSKRecord): string {
  return `${record.topic}-${record.partition}@${record.offset}`;
}

/** The part of Lambda's on-failure record (Kafka destination) that tells what was given up, and in which give-up. */
interface OnFailureRecord {
  readonly requestContext?: {
    readonly requestId?: unknown;
    readonly functionArn?: unknown;
    readonly condition?: unknown;
  };
  readonly payload?: { readonly records?: Record<string, unknown> };
}

/**
 * What a record of the dead-letter topic counts as (docs/design.md, "Dead letters in the counts").
 * - Its id: a DeadLetter event's own event_id (stable when a retrying producer writes it at a new
 *   offset), else its position; a position too when the id would not fit a DynamoDB key.
 * - `givenUp`: Lambda's on-failure record for a retry exhaustion. Lambda gives up every record of a
 *   partition at or after the lowest failed offset, so one give-up of one source partition
 *   (one last invocation, `requestId`) holds ONE record that failed and the records behind it,
 *   mostly healthy ones of other keys. The group names that give-up: the store counts one dead
 *   letter per group and the rest as given up behind it, whatever order they arrive in.
 */
export function deadLetterCount(record: MSKRecord): DeadLetterCount {
  const minute = minuteOf(record.timestamp);
  let value: { event_id?: unknown } & OnFailureRecord = {};
  try {
    value = (JSON.parse(decodeBase64Strict(record.value as string).toString('utf8')) ?? {}) as typeof value;
  } catch {
    // Not JSON: counted by position.
  }
  const eventId = typeof value.event_id === 'string' && value.event_id !== '' ? value.event_id : undefined;
  const id = eventId && fitsKey(ANALYTICS_KEYS.deadLetter(eventId)) ? eventId : positionId(record);
  const context = value.requestContext;
  const source = Object.keys(value.payload?.records ?? {})[0];
  if (context?.condition !== 'RetriesExhausted' || typeof context.requestId !== 'string' || source === undefined) {
    return { id, minute };
  }
  const group = createHash('sha256')
    .update(JSON.stringify([context.functionArn, context.requestId, source]))
    .digest('hex');
  return { id, minute, givenUp: { group } };
}

function fitsKey(key: string): boolean {
  return Buffer.byteLength(key, 'utf8') <= MAX_PARTITION_KEY_BYTES;
}
