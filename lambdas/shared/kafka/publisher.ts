import type { AnyEvent } from '../contracts/events';
import type { TopicName } from '../contracts/topics';

/** An event on its way to a topic. The key decides the partition (DESIGN.md section 2). */
export interface OutgoingEvent {
  readonly topic: TopicName;
  readonly key: string;
  readonly event: AnyEvent;
}

/**
 * The port through which services emit events. `publish` resolves only once every event is
 * acknowledged by all in-sync replicas, so a consumer can commit its offset after it.
 */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<void>;
}
