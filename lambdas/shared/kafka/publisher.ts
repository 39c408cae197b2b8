import { recordKey, type AnyEvent, type TopicEvent } from '../contracts/events';
import type { TopicName } from '../contracts/topics';
import { activeTrace, formatTraceparent } from '../trace-context';

/** An event on its way to a topic. The key decides the partition (TOPICS[...].key). */
export interface OutgoingEvent {
  readonly topic: TopicName;
  readonly key: string | null;
  readonly event: AnyEvent;
  /** W3C trace context for the record's `traceparent` header; the active span's when absent (trace-context.ts). */
  readonly traceparent?: string;
}

/** An event addressed to its topic under the key the contract gives it: the only way events get keys. */
export function toTopic<T extends TopicName>(topic: T, event: TopicEvent<T>): OutgoingEvent {
  return { topic, key: recordKey(topic, event), event };
}

/**
 * The port through which services emit events. `publish` resolves only once every event is
 * acknowledged by all in-sync replicas, so a consumer can commit its offset after it.
 */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<void>;
}

/**
 * The events with the active span (trace-context.ts) as their traceparent, unless they carry one:
 * a record's parent is the span that published it. Without an active span they go as they are.
 */
export function withActiveTrace(events: readonly OutgoingEvent[]): readonly OutgoingEvent[] {
  const active = activeTrace();
  if (!active) return events;
  const traceparent = formatTraceparent(active);
  return events.map((e) => (e.traceparent ? e : { ...e, traceparent }));
}
