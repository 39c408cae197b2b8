import type { EventPublisher, OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';

/** Records what a handler publishes; `failWith` makes the next publishes fail like an unreachable broker. */
export class InMemoryPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  failWith: Error | undefined;

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(...events);
  }

  on(topic: string): OutgoingEvent[] {
    return this.published.filter((p) => p.topic === topic);
  }
}
