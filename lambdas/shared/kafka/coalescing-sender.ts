import type { OutgoingEvent } from './publisher';

/** Events per send: a few hundred KB for this system's events, under the broker's 1 MB default. */
export const MAX_EVENTS_PER_SEND = 500;

interface Pending {
  readonly events: readonly OutgoingEvent[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent publishes into as few sends as possible: calls made while a send is in
 * flight (or in the same tick) go out together in the next one, in call order, and each caller
 * still awaits the acknowledgement of its own events. Sends never overlap, so an idempotent
 * producer's sequence numbers stay in order. If a combined send fails, each caller's events are
 * retried on their own, so one failing destination does not fail the records of the others.
 */
export class CoalescingSender {
  private pending: Pending[] = [];
  private draining = false;

  constructor(
    private readonly send: (events: readonly OutgoingEvent[]) => Promise<void>,
    private readonly maxEventsPerSend = MAX_EVENTS_PER_SEND,
  ) {}

  publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ events, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) await this.sendBatch(this.takeBatch());
    this.draining = false;
  }

  /** The oldest callers whose events fit one send (at least one caller, whatever its size). */
  private takeBatch(): Pending[] {
    let count = 0;
    let callers = 0;
    while (
      callers < this.pending.length &&
      (callers === 0 || count + this.pending[callers]!.events.length <= this.maxEventsPerSend)
    ) {
      count += this.pending[callers]!.events.length;
      callers += 1;
    }
    return this.pending.splice(0, callers);
  }

  private async sendBatch(batch: readonly Pending[]): Promise<void> {
    try {
      await this.send(batch.flatMap((p) => p.events));
      for (const p of batch) p.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    for (const p of batch) {
      try {
        await this.send(p.events);
        p.resolve();
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
