import type { EventPublisher, OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';

/**
 * Records what a function publishes. `failNext` fails the next publishes, `failOn` every publish that
 * holds a matching event, both with `error`: a broker that went away or rejects one record.
 */
export class RecordingPublisher implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  failNext = 0;
  failOn: (event: OutgoingEvent) => boolean = () => false;
  error: Error = new Error('broker not available');

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (this.failNext > 0 || events.some((e) => this.failOn(e))) {
      this.failNext = Math.max(0, this.failNext - 1);
      throw this.error;
    }
    this.published.push(...events);
  }

  on(topic: string): OutgoingEvent[] {
    return this.published.filter((p) => p.topic === topic);
  }
}
