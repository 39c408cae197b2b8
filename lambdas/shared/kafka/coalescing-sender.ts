import { classifyError } from '../errors';
import { currentPublishBound, type PublishBound } from './publish-deadline';
import type { EventPublisher, OutgoingEvent } from './publisher';

/** Events per send: a few hundred KB for this system's events, under the broker's 1 MB default. */
export const MAX_EVENTS_PER_SEND = 500;

/** The partition of its topic each event goes to, in the order of `events`. */
export type RouteEvents = (events: readonly OutgoingEvent[]) => Promise<readonly number[]>;
/** One produce request: every event goes to `partition` of `topic`. */
export type SendToPartition = (topic: string, partition: number, events: readonly OutgoingEvent[]) => Promise<void>;

/**
 * A publish given up at its deadline. Its events may still be written later (the send goes on
 * in the background): the record that made them is retried, and its consumers count them once.
 * `ETIMEDOUT` makes it transient for classifyError.
 */
export class PublishDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(boundMs: number) {
    super(`publish not acknowledged within the ${boundMs} ms left to it`);
    this.name = 'PublishDeadlineError';
  }
}

/** One publish call: settled once, by its last part acknowledged, its first part failed, or its deadline. */
class Caller {
  settled = false;
  private parts = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  expect(parts: number): void {
    this.parts = parts;
  }

  bound(ms: number): void {
    this.timer = setTimeout(() => this.fail(new PublishDeadlineError(ms)), ms);
  }

  partDone(): void {
    this.parts -= 1;
    if (this.parts === 0 && !this.settled) {
      this.settled = true;
      clearTimeout(this.timer);
      this.resolve();
    }
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.reject(error);
  }
}

/** The events of one caller that go to one partition. */
interface Part {
  readonly caller: Caller;
  readonly events: readonly OutgoingEvent[];
}

interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  pending: Part[];
  draining: boolean;
}

/**
 * Sends each partition's events on their own queue, so that a partition whose leader does not
 * answer holds back only its own events (docs/design.md, "A leader that stops answering"). Per
 * partition, calls made while a send is in flight (or in the same tick) go out together in the
 * next one, in call order, and sends never overlap, so the idempotent producer's sequence numbers
 * of a partition are used in order. Partitions' queues run concurrently: at most one request per
 * partition in flight (a few topics of 3-6 partitions), and the producer itself keeps one request
 * per broker connection in flight. A caller's publish resolves once each of its partitions has
 * acknowledged its events, and is rejected at its bound (PublishDeadlineError) even while a send
 * is still waiting for a leader: only the records whose events went to that leader are handed back.
 */
export class CoalescingSender implements EventPublisher {
  private readonly queues = new Map<string, PartitionQueue>();

  constructor(
    private readonly route: RouteEvents,
    private readonly send: SendToPartition,
    private readonly maxEventsPerSend = MAX_EVENTS_PER_SEND,
  ) {}

  /** `bound`: by default the batch loop's, when called while it processes a record (publish-deadline.ts). */
  publish(events: readonly OutgoingEvent[], bound: PublishBound | undefined = currentPublishBound()): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const caller = new Caller(resolve, reject);
      if (bound) {
        const ms = Math.floor(bound.remainingMs());
        if (ms <= 0) {
          caller.fail(new PublishDeadlineError(0));
          return;
        }
        caller.bound(ms);
      }
      this.route(events).then(
        (partitions) => this.enqueue(caller, events, partitions),
        (error: unknown) => caller.fail(error),
      );
    });
  }

  private enqueue(caller: Caller, events: readonly OutgoingEvent[], partitions: readonly number[]): void {
    if (caller.settled) return;
    const parts = new Map<PartitionQueue, OutgoingEvent[]>();
    events.forEach((event, i) => {
      const queue = this.queueOf(event.topic, partitions[i]!);
      const part = parts.get(queue);
      if (part) part.push(event);
      else parts.set(queue, [event]);
    });
    caller.expect(parts.size);
    for (const [queue, partEvents] of parts) {
      queue.pending.push({ caller, events: partEvents });
      if (!queue.draining) {
        queue.draining = true;
        setImmediate(() => void this.drain(queue));
      }
    }
  }

  private queueOf(topic: string, partition: number): PartitionQueue {
    const id = `${topic}\u0000${partition}`;
    let queue = this.queues.get(id);
    if (!queue) {
      queue = { topic, partition, pending: [], draining: false };
      this.queues.set(id, queue);
    }
    return queue;
  }

  private async drain(queue: PartitionQueue): Promise<void> {
    for (let batch = this.takeBatch(queue); batch.length > 0; batch = this.takeBatch(queue)) {
      await this.sendBatch(queue, batch);
    }
    queue.draining = false;
  }

  /**
   * The oldest parts whose events fit one send (at least one part, whatever its size). A part
   * whose caller is already settled (its deadline passed, or another of its partitions failed) is
   * dropped unsent: its record goes back anyway.
   */
  private takeBatch(queue: PartitionQueue): Part[] {
    queue.pending = queue.pending.filter((p) => !p.caller.settled);
    let count = 0;
    let parts = 0;
    while (
      parts < queue.pending.length &&
      (parts === 0 || count + queue.pending[parts]!.events.length <= this.maxEventsPerSend)
    ) {
      count += queue.pending[parts]!.events.length;
      parts += 1;
    }
    return queue.pending.splice(0, parts);
  }

  /**
   * A failed send fails every part in it, except when the broker refused an event for what it is
   * (poison: one caller's too-large event fails the whole request): then each part is sent again
   * on its own, so the others are not failed with it. A leader that does not answer is not asked
   * again once per caller: that would hold the queue a full timeout per caller.
   */
  private async sendBatch(queue: PartitionQueue, batch: readonly Part[]): Promise<void> {
    try {
      await this.send(
        queue.topic,
        queue.partition,
        batch.flatMap((p) => p.events),
      );
      for (const p of batch) p.caller.partDone();
      return;
    } catch (error) {
      if (batch.length === 1 || classifyError(error).kind !== 'poison') {
        for (const p of batch) p.caller.fail(error);
        return;
      }
    }
    for (const p of batch) {
      if (p.caller.settled) continue;
      try {
        await this.send(queue.topic, queue.partition, p.events);
        p.caller.partDone();
      } catch (error) {
        p.caller.fail(error);
      }
    }
  }
}
