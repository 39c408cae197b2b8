import { recordKey, type AnyEvent, type TopicEvent } from '../contracts/events';
import type { TopicName } from '../contracts/topics';

/** An event on its way to a topic. The key decides the partition (TOPICS[...].key). */
export interface OutgoingEvent {
  readonly topic: TopicName;
  readonly key: string | null;
  readonly event: AnyEvent;
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
