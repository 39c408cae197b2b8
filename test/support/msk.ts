import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordSpec {
  topic: string;
  partition?: number;
  offset?: number;
  key?: string | null;
  /** An object is JSON-encoded; a string is taken as the raw value text; null sends no value. */
  value: unknown;
  headers?: Record<string, string>;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Builds an event exactly as Lambda's MSK event source mapping delivers it. */
export function mskEvent(specs: readonly RecordSpec[]): MSKEvent {
  const records: Record<string, MSKRecord[]> = {};
  const nextOffset: Record<string, number> = {};
  for (const spec of specs) {
    const partition = spec.partition ?? 0;
    const topicPartition = `${spec.topic}-${partition}`;
    const offset = spec.offset ?? nextOffset[topicPartition] ?? 0;
    nextOffset[topicPartition] = offset + 1;
    const value = spec.value === null ? null : typeof spec.value === 'string' ? spec.value : JSON.stringify(spec.value);
    (records[topicPartition] ??= []).push({
      topic: spec.topic,
      partition,
      offset,
      timestamp: Date.parse('2025-04-07T12:34:56Z') + offset,
      timestampType: 'CREATE_TIME',
      key: spec.key === null || spec.key === undefined ? (undefined as unknown as string) : b64(spec.key),
      value: value === null ? (null as unknown as string) : b64(value),
      headers: Object.entries(spec.headers ?? {}).map(([k, v]) => ({ [k]: [...Buffer.from(v, 'utf8')] })),
    } as MSKRecord);
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn:
      'arn:aws:kafka:eu-west-1:123456789012:cluster/order-pipeline/abcd1234-0123-4567-89ab-cdef01234567-1',
    bootstrapServers: 'b-1.orderpipeline.abcd12.c1.kafka.eu-west-1.amazonaws.com:9098',
    records,
  } as MSKEvent;
}

/** Decodes every record value of an MSK event back to JSON (for assertions on sample events). */
export function decodeValues(event: MSKEvent): unknown[] {
  return Object.values(event.records).flatMap((records) =>
    records.map((r) => (r.value ? JSON.parse(Buffer.from(r.value, 'base64').toString('utf8')) : null)),
  );
}

const EVENTS_DIR = join(__dirname, '..', '..', 'events');

/** Loads a sample event from events/ as a fresh copy, so that tests never share mutable state. */
export function loadEvent<T = MSKEvent>(file: string): T {
  return structuredClone(JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as T);
}
