import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { TOPIC_SCHEMAS, type AnyEvent } from '../contracts/events';
import { decodeBase64Strict, decodeUtf8Strict, isBase64 } from '../encoding';
import { PoisonRecordError } from '../errors';
import { jsonDepth, MAX_EVENT_DEPTH } from '../json-depth';
import type { InvocationDeadline } from './retry-budget';
import { childSpan, parseTraceparent, traceparentOfHeaders, type TraceContext } from '../trace-context';

export type { MSKEvent, MSKRecord };

/** Largest event value a consumer accepts; a larger one is a poison record, not a retry. */
export const MAX_EVENT_BYTES = 256 * 1024;
export interface RecordContext {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record key, decoded to UTF-8, or null when the producer sent none. */
  readonly key: string | null;
  readonly timestamp: number;
  /** The record as Lambda delivered it (base64 key and value, headers). */
  readonly record: MSKRecord;
  /** The invocation it is processed in: its request id and how long it has left. */
  readonly invocation: InvocationDeadline;
}

export function recordContext(record: MSKRecord, invocation: InvocationDeadline): RecordContext {
  return {
    record,
    invocation,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key ? decodeBase64Strict(record.key).toString('utf8') : null,
    timestamp: record.timestamp,
  };
}

/** The span a consumer works on a record in: a child of the record's traceparent, or a new trace without one. */
export function recordSpan(record: MSKRecord): TraceContext {
  return childSpan(parseTraceparent(traceparentOfHeaders(record.headers)));
}

/**
 * Decodes a record as Lambda delivers it (base64 value) and validates it against the schemas of
 * its topic. Throws PoisonRecordError with a reason a person can act on for anything that will
 * never parse, however often it is retried.
 */
export function decodeRecord(record: MSKRecord): AnyEvent {
  const schema = (TOPIC_SCHEMAS as Record<string, (typeof TOPIC_SCHEMAS)[keyof typeof TOPIC_SCHEMAS]>)[record.topic];
  if (!schema) throw new PoisonRecordError(`unknown topic "${record.topic}"`);
  const encoded = record.value as string | null | undefined;
  if (encoded === null || encoded === undefined || encoded === '') {
    throw new PoisonRecordError('missing value (null or empty record)');
  }
  if (!isBase64(encoded)) throw new PoisonRecordError('value is not valid base64');
  const bytes = decodeBase64Strict(encoded);
  if (bytes.length > MAX_EVENT_BYTES) {
    throw new PoisonRecordError(`oversize value: ${bytes.length} bytes, limit ${MAX_EVENT_BYTES}`);
  }
  let json: unknown;
  try {
    const text = decodeUtf8Strict(bytes);
    // Checked before parsing, so that no parser's recursion ever meets a hostile depth.
    const depth = jsonDepth(text);
    if (depth > MAX_EVENT_DEPTH) {
      throw new PoisonRecordError(`value nests ${depth} levels deep, limit ${MAX_EVENT_DEPTH}`);
    }
    json = JSON.parse(text);
  } catch (error) {
    if (error instanceof PoisonRecordError) throw error;
    throw new PoisonRecordError(`value is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const eventType = (json as { event_type?: unknown } | null)?.event_type;
    const unknownType = parsed.error.issues.some((i) => i.path.length === 1 && i.path[0] === 'event_type');
    if (unknownType) {
      throw new PoisonRecordError(`unknown event_type ${JSON.stringify(eventType)} on topic ${record.topic}`);
    }
    const details = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new PoisonRecordError(`schema violation in ${String(eventType)}: ${details}`);
  }
  return parsed.data;
}

/** All records of an MSK event, in delivery order within each topic-partition. */
export function recordsByPartition(event: MSKEvent): [string, MSKRecord[]][] {
  return Object.entries(event.records ?? {});
}
