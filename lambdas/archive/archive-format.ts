import type { MSKRecord } from 'aws-lambda';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeBase64Strict, decodeUtf8Strict } from '../shared/encoding';
import { jsonDepth, MAX_EVENT_DEPTH } from '../shared/json-depth';

/**
 * The archive's object format, shared by the archive function, the local runtime and the e2e tests:
 * `<topic>/dt=YYYY-MM-DD/<topic>+<partition>+<first offset>+<last offset>.jsonl.gz`, records as Lambda
 * delivered them; readers de-duplicate by topic, partition and offset (docs/design.md, "Archive").
 */
export interface ArchiveLine {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Kafka timestamp, milliseconds since the epoch. */
  readonly timestamp: number;
  readonly timestamp_type: string;
  /** base64, as delivered; null when the record has none (Lambda leaves the field out). */
  readonly key: string | null;
  /** base64, as delivered; null for a null (tombstone) value. */
  readonly value: string | null;
  /** In delivery order (names may repeat); values base64. */
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly decoded: {
    /** The key as UTF-8 text, when it is valid UTF-8. */
    readonly key?: string;
    /** The value parsed as JSON, when it is valid UTF-8 JSON. */
    readonly value?: unknown;
  };
}

export interface ArchiveObject {
  readonly key: string;
  readonly body: Buffer;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly recordCount: number;
}

/**
 * Both offsets name the object: only the same range of the same partition maps to the same key, and
 * a record's bytes at an offset never change, so an overwrite is always with identical content; two
 * overlapping batches (a rebalance, a re-split after lost commits) write two objects and no write can
 * erase records another one holds.
 */
export function objectKey(
  topic: string,
  partition: number,
  firstOffset: number,
  lastOffset: number,
  firstTimestamp: number,
): string {
  // A negative timestamp is Kafka's "none" (-1); the epoch day keeps the key deterministic.
  const day = new Date(Math.max(0, firstTimestamp)).toISOString().slice(0, 10);
  const offsets = [firstOffset, lastOffset].map((offset) => String(offset).padStart(20, '0')).join('+');
  return `${topic}/dt=${day}/${topic}+${partition}+${offsets}.jsonl.gz`;
}

/**
 * The object for the records of ONE topic-partition of a batch. Same records, same bytes: the JSON
 * is built with a fixed field order and gzip is written without a modification time or file name
 * (Node's gzip header carries mtime 0), so a redelivered batch overwrites its object identically.
 * (Only a zlib upgrade in the runtime could change the compressed bytes; the content stays the same.)
 */
export function encodeBatch(records: readonly MSKRecord[]): ArchiveObject {
  const first = records[0];
  if (!first) throw new Error('An archive object needs at least one record');
  for (const record of records) {
    if (record.topic !== first.topic || record.partition !== first.partition) {
      throw new Error(`An archive object holds one topic-partition; got ${record.topic}-${record.partition}`);
    }
  }
  const text = records.map((record) => JSON.stringify(toLine(record)) + '\n').join('');
  const lastOffset = records[records.length - 1]!.offset;
  return {
    key: objectKey(first.topic, first.partition, first.offset, lastOffset, first.timestamp),
    body: gzipSync(Buffer.from(text, 'utf8')),
    topic: first.topic,
    partition: first.partition,
    firstOffset: first.offset,
    lastOffset,
    recordCount: records.length,
  };
}

/** The lines of an archive object (gzip JSON lines), in the order they were written. */
export function decodeObject(body: Uint8Array): ArchiveLine[] {
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ArchiveLine);
}

/** The record as Lambda delivered it, rebuilt from its line (the round trip the archive promises). */
export function recordOf(line: ArchiveLine): MSKRecord {
  // The aws-lambda types call key and value strings; Lambda sends no key and a null value when the record has none.
  return {
    topic: line.topic,
    partition: line.partition,
    offset: line.offset,
    timestamp: line.timestamp,
    timestampType: line.timestamp_type as MSKRecord['timestampType'],
    // Lambda leaves the key out when the record has none.
    ...(line.key === null ? {} : { key: line.key }),
    value: line.value as string,
    headers: line.headers.map((h) => ({ [h.name]: [...Buffer.from(h.value, 'base64')] })),
  } as MSKRecord;
}

/** A record's identity in Kafka: what "the archive holds each record once" counts. */
export function recordId(line: Pick<ArchiveLine, 'topic' | 'partition' | 'offset'>): string {
  return `${line.topic}-${line.partition}@${line.offset}`;
}

export interface ArchivedRecords {
  /** One line per record identity (topic, partition, offset), whichever object it came from. */
  readonly records: ReadonlyMap<string, ArchiveLine>;
  /** Lines read, copies in overlapping objects included. */
  readonly lines: number;
  /** Identities whose copies differ: never expected, since Kafka never rewrites an offset. */
  readonly conflicts: readonly string[];
}

/**
 * The archive as its readers must count it: overlapping objects hold some records more than once,
 * so records are de-duplicated by topic, partition and offset (docs/design.md, "Archive").
 */
export function archivedRecords(objects: readonly (readonly ArchiveLine[])[]): ArchivedRecords {
  const records = new Map<string, ArchiveLine>();
  const conflicts = new Set<string>();
  let lines = 0;
  for (const line of objects.flat()) {
    lines++;
    const id = recordId(line);
    const seen = records.get(id);
    if (!seen) records.set(id, line);
    else if (JSON.stringify(seen) !== JSON.stringify(line)) conflicts.add(id);
  }
  return { records, lines, conflicts: [...conflicts] };
}

function toLine(record: MSKRecord): ArchiveLine {
  const key = (record.key as string | null | undefined) ?? null;
  const value = (record.value as string | null | undefined) ?? null;
  const decodedKey = key === null ? undefined : utf8(key);
  const decodedValue = value === null ? undefined : json(value);
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestamp_type: record.timestampType,
    key,
    value,
    headers: (record.headers ?? []).flatMap((header) =>
      Object.entries(header).map(([name, bytes]) => ({ name, value: Buffer.from(bytes).toString('base64') })),
    ),
    decoded: {
      ...(decodedKey === undefined ? {} : { key: decodedKey }),
      ...(decodedValue === undefined ? {} : { value: decodedValue.parsed }),
    },
  };
}

function utf8(base64: string): string | undefined {
  try {
    return decodeUtf8Strict(decodeBase64Strict(base64));
  } catch {
    return undefined;
  }
}

function json(base64: string): { parsed: unknown } | undefined {
  const text = utf8(base64);
  // A hostile depth would overflow JSON.stringify when the line is written: such a value is kept as bytes only.
  if (text === undefined || jsonDepth(text) > MAX_EVENT_DEPTH) return undefined;
  try {
    return { parsed: JSON.parse(text) };
  } catch {
    return undefined;
  }
}
