import type { MSKEvent, MSKRecord } from 'aws-lambda';

/**
 * Kafka records shaped exactly as Lambda's Kafka event source mapping delivers them
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html): records grouped by
 * "<topic>-<partition>" in offset order, key and value base64-encoded (a record without a key has
 * no `key`; a null value stays null), headers as a list of single-entry objects whose value is the
 * header's bytes, offsets and timestamps as numbers.
 */

/** Lambda's limit on a synchronous invocation payload, which caps a batch. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export type TimestampType = 'CREATE_TIME' | 'LOG_APPEND_TIME';

/** A record as the Kafka client hands it over. */
export interface FetchedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
  readonly key?: Buffer | null;
  readonly value?: Buffer | null;
  readonly headers: readonly (readonly [Buffer | null | undefined, Buffer | null | undefined])[];
}

export function toMskRecord(record: FetchedRecord, timestampType: TimestampType): MSKRecord {
  const msk: Record<string, unknown> = {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    timestamp: Number(record.timestamp),
    timestampType,
  };
  if (record.key !== undefined && record.key !== null) msk.key = record.key.toString('base64');
  msk.value = record.value === undefined || record.value === null ? null : record.value.toString('base64');
  msk.headers = record.headers.map(([name, value]) => ({ [name?.toString('utf8') ?? '']: value ? [...value] : [] }));
  return msk as unknown as MSKRecord;
}

export interface EventSource {
  readonly eventSourceArn: string;
  readonly bootstrapServers: string;
}

/** The invocation payload for a batch; records keep their order within each topic-partition. */
export function mskEvent(records: readonly MSKRecord[], source: EventSource): MSKEvent {
  const grouped: Record<string, MSKRecord[]> = {};
  for (const record of records) (grouped[partitionKey(record)] ??= []).push(record);
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    bootstrapServers: source.bootstrapServers,
    records: grouped,
  };
}

/** "<topic>-<partition>": the key of a partition in the event and in a partial batch response. */
export function partitionKey(record: { readonly topic: string; readonly partition: number }): string {
  return `${record.topic}-${record.partition}`;
}

/** Bytes a record adds to the JSON payload (the record plus a separator; the envelope is counted once). */
export function recordPayloadBytes(record: MSKRecord): number {
  return Buffer.byteLength(JSON.stringify(record)) + 1;
}

/** The event without records, plus the bytes of every "<topic>-<partition>": [] group, as an upper bound. */
export function envelopeBytes(source: EventSource, partitions: number): number {
  return Buffer.byteLength(JSON.stringify(mskEvent([], source))) + partitions * 64;
}

/** A record waiting in a partition's queue, with whether the mapping's filters let it through. */
export interface QueuedRecord {
  readonly record: MSKRecord;
  readonly deliver: boolean;
  readonly bytes: number;
}

export interface TakenBatch {
  /** The records to deliver, in order within each partition. */
  readonly deliver: readonly MSKRecord[];
  /** Per partition, the highest offset taken (delivered or filtered out): what to commit once the batch is done. */
  readonly lastOffsets: ReadonlyMap<string, number>;
  readonly taken: number;
  readonly payloadBytes: number;
}

/**
 * Takes the next batch from the partitions' queues (mutating them): a prefix of each queue, so
 * that order within a partition holds, with at most `batchSize` records to deliver and at most
 * `maxPayloadBytes` of payload. Filtered-out records are taken along (their offsets are committed
 * with the batch) but count toward neither limit. The first record is always taken, so that one
 * oversize record cannot stall its partition. Partitions are visited starting at `startAt`, so
 * that a busy partition does not starve the others.
 */
export function takeBatch(
  queues: ReadonlyMap<string, QueuedRecord[]>,
  limits: { readonly batchSize: number; readonly maxPayloadBytes: number; readonly envelopeBytes: number },
  startAt = 0,
): TakenBatch {
  const keys = [...queues.keys()];
  const ordered = [
    ...keys.slice(startAt % Math.max(keys.length, 1)),
    ...keys.slice(0, startAt % Math.max(keys.length, 1)),
  ];
  const deliver: MSKRecord[] = [];
  const lastOffsets = new Map<string, number>();
  let bytes = limits.envelopeBytes;
  let taken = 0;
  let full = false;
  for (const key of ordered) {
    const queue = queues.get(key)!;
    while (queue.length > 0 && !full) {
      const next = queue[0];
      if (next.deliver) {
        if (deliver.length >= limits.batchSize) {
          full = true;
          break;
        }
        if (deliver.length > 0 && bytes + next.bytes > limits.maxPayloadBytes) {
          full = true;
          break;
        }
        deliver.push(next.record);
        bytes += next.bytes;
      }
      queue.shift();
      taken += 1;
      lastOffsets.set(key, next.record.offset);
    }
    if (full) break;
  }
  return { deliver, lastOffsets, taken, payloadBytes: bytes };
}
