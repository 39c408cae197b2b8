import type { AnyEvent, TopicEvent } from '../contracts/events';
import { TOPICS, type TopicName } from '../contracts/topics';
import { toTopic, type OutgoingEvent } from '../kafka/publisher';
import { formatTraceparent, parseTraceparent } from '../trace-context';

/**
 * An outbox item stays a week after it was written: the relay publishes it within seconds, and the
 * table stream keeps records for only 24 hours, so the rest is room to inspect what was sent.
 * DynamoDB's TTL deletes it afterwards; the relay never deletes (0 extra writes per event).
 */
export const OUTBOX_RETENTION_SECONDS = 7 * 24 * 60 * 60;

/** An event waiting in the transactional outbox, written in the same transaction as the state it describes. */
export interface OutboxEntry {
  readonly event_id: string;
  readonly topic: TopicName;
  readonly key: string;
  /** The event as JSON text: published byte for byte as it was committed. */
  readonly payload: string;
  readonly created_at: string;
  /** Epoch seconds, the table's TTL attribute. */
  readonly expires_at: number;
  /** W3C trace context of the request that wrote the event, sent as the record's `traceparent` header. */
  readonly traceparent?: string;
  /** Present until a relay (or the sweeper) marks the entry published: the key of the sparse index. */
  readonly unpublished?: typeof OUTBOX_UNPUBLISHED;
}

/** The one value of the sparse index's partition key: every unpublished entry, sorted by created_at. */
export const OUTBOX_UNPUBLISHED = 'pending';

/** The outbox item that publishes `event` to `topic`, under the key the contract gives it. */
export function outboxEntryFor<T extends TopicName>(
  topic: T,
  event: TopicEvent<T>,
  now: Date,
  traceparent?: string,
): OutboxEntry {
  const { key } = toTopic(topic, event);
  if (key === null) throw new Error(`${event.event_type} has no record key on ${topic}`);
  return {
    event_id: event.event_id,
    topic,
    key,
    payload: JSON.stringify(event),
    created_at: now.toISOString(),
    expires_at: Math.floor(now.getTime() / 1000) + OUTBOX_RETENTION_SECONDS,
    unpublished: OUTBOX_UNPUBLISHED,
    ...(traceparent ? { traceparent } : {}),
  };
}

/** An outbox item that cannot be published as it stands. */
export class MalformedOutboxEntryError extends Error {
  constructor(reason: string) {
    super(`malformed outbox entry: ${reason}`);
    this.name = 'MalformedOutboxEntryError';
  }
}

const TOPIC_NAMES: ReadonlySet<string> = new Set(Object.values(TOPICS).map((t) => t.name));

/**
 * The Kafka record an outbox item becomes. The payload was validated against its schema before it
 * was committed, so this only checks that the item is whole rather than re-validating the event.
 */
export function outgoingEventOf(item: Readonly<Record<string, unknown>>): OutgoingEvent {
  const { event_id, topic, key, payload, traceparent } = item;
  if (typeof topic !== 'string' || !TOPIC_NAMES.has(topic)) {
    throw new MalformedOutboxEntryError(`unknown topic ${JSON.stringify(topic)}`);
  }
  if (typeof key !== 'string' || key === '') throw new MalformedOutboxEntryError('missing key');
  if (typeof payload !== 'string') throw new MalformedOutboxEntryError('missing payload');
  let event: AnyEvent;
  try {
    event = JSON.parse(payload) as AnyEvent;
  } catch (error) {
    throw new MalformedOutboxEntryError(`payload is not JSON: ${(error as Error).message}`);
  }
  if (event?.event_id !== event_id) {
    throw new MalformedOutboxEntryError(`payload event_id does not match item event_id ${JSON.stringify(event_id)}`);
  }
  // A context that does not parse is dropped rather than forwarded: the consumer starts a new trace.
  const trace = typeof traceparent === 'string' ? parseTraceparent(traceparent) : undefined;
  return { topic: topic as TopicName, key, event, ...(trace ? { traceparent: formatTraceparent(trace) } : {}) };
}
