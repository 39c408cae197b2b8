import type { MSKEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaBatchHandler, type KafkaConsumerOptions } from '../../lambdas/shared/kafka/batch';
import type { OutgoingEvent } from '../../lambdas/shared/kafka/publisher';
// The local runner's encoder: what the local runtime delivers is what the tests deliver.
import { mskEvent as encode, toMskRecord } from '../../local/runtime/runner/kafka-event';

export interface RecordSpec {
  topic: string;
  partition?: number;
  offset?: number;
  key?: string | null;
  /** An object is JSON-encoded; a string is taken as the raw value text; null sends no value. */
  value: unknown;
  headers?: Record<string, string>;
}

const SOURCE = {
  eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/order-pipeline/abcd1234-0123-4567-89ab-cdef01234567-1',
  bootstrapServers: 'b-1.orderpipeline.abcd12.c1.kafka.eu-west-1.amazonaws.com:9098',
};
const utf8 = (text: string) => Buffer.from(text, 'utf8');

/**
 * Builds an event exactly as Lambda's MSK event source mapping delivers it, with the local runner's
 * encoder, so that the tests and the runner cannot disagree on the shape.
 */
export function mskEvent(specs: readonly RecordSpec[]): MSKEvent {
  const nextOffset: Record<string, number> = {};
  const records = specs.map((spec) => {
    const partition = spec.partition ?? 0;
    const topicPartition = `${spec.topic}-${partition}`;
    const offset = spec.offset ?? nextOffset[topicPartition] ?? 0;
    nextOffset[topicPartition] = offset + 1;
    const value = spec.value === null ? null : typeof spec.value === 'string' ? spec.value : JSON.stringify(spec.value);
    return toMskRecord(
      {
        topic: spec.topic,
        partition,
        offset: BigInt(offset),
        timestamp: BigInt(Date.parse('2025-04-07T12:34:56Z') + offset),
        key: spec.key === null || spec.key === undefined ? null : utf8(spec.key),
        value: value === null ? null : utf8(value),
        headers: Object.entries(spec.headers ?? {}).map(([k, v]) => [utf8(k), utf8(v)] as const),
      },
      'CREATE_TIME',
    );
  });
  return encode(records, SOURCE);
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

/** A valid paid BillingOutcome of an order: the record value the batch-loop tests feed through. */
export const paidOutcome = (orderId: string) => ({
  event_type: 'BillingOutcome',
  event_id: `e-${orderId}`,
  order_id: orderId,
  payment_status: 'paid',
  transaction_id: `txn-${orderId}`,
  amount: 10,
  currency: 'USD',
  timestamp: '2025-04-07T12:34:56Z',
});

/**
 * The batch loop as the unit tests drive it: a test consumer of BillingOutcome that answers with
 * partial batch responses and does nothing with an event, its dead letters stamped at a fixed time
 * and kept in `deadLettered`. `options` add to these or replace them.
 */
export function batchUnderTest(options: Partial<KafkaConsumerOptions<'BillingOutcome'>> = {}) {
  const deadLettered: OutgoingEvent[] = [];
  const handler = kafkaBatchHandler({
    consumer: 'test-consumer',
    eventTypes: ['BillingOutcome'],
    partialBatchResponse: true,
    now: () => new Date('2025-04-07T13:00:00Z'),
    deadLetters: { publish: async (events) => void deadLettered.push(...events) },
    handle: async () => undefined,
    ...options,
  });
  return { handler, deadLettered };
}
