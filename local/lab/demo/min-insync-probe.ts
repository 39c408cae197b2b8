/**
 * The opposite of a failover, on purpose: with two of three brokers down, one in-sync replica is
 * left, below `min.insync.replicas` 2, so the surviving leader must refuse acks=all writes. The
 * probe sends one event with the functions' own publisher (KafkaEventPublisher: acks=all,
 * idempotent) until it is acknowledged, names every refusal by its Kafka error, and counts the
 * copies of the event at the end: at least one (not lost), and no more than the sends that may
 * have been appended before they failed (see mayHaveAppended). It writes to a topic of its own,
 * so that no pipeline consumer sees the probe.
 */
import { Admin, findErrorBy } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import type { TopicName } from '../../../lambdas/shared/contracts/topics';
import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';
import { bootstrapList } from '../../runtime/services';
import { APP_REPLICATION } from '../app-bindings';
import { sleep } from '../../runtime/services/process';
import { readTopic } from './kafka-inspect';

/** A local topic outside the contracts, replicated like them. */
export const PROBE_TOPIC = 'local-min-insync-probe';

/** The Kafka errors that mean "fewer in-sync replicas than min.insync.replicas" (codes of the Kafka protocol). */
export const MIN_INSYNC_ERRORS = ['NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'] as const;

export interface KafkaRefusal {
  /** The Kafka error name, e.g. NOT_ENOUGH_REPLICAS. */
  readonly error: string;
  /** Its protocol code, e.g. 19. */
  readonly code: number;
}

/** The min-ISR refusal inside a (possibly aggregated) producer error, if there is one. */
export function minInsyncRefusal(error: unknown): KafkaRefusal | undefined {
  for (const id of MIN_INSYNC_ERRORS) {
    const found = findErrorBy(error as Error, 'apiId', id) as { apiId: string; apiCode: number } | null;
    if (found) return { error: found.apiId, code: found.apiCode };
  }
  return undefined;
}

/**
 * Whether a failed send may still have left its records in the leader's log: anything but a plain
 * NOT_ENOUGH_REPLICAS, which the leader answers before appending. A timeout may come after the
 * append, and the idempotent producer gives a caller's retry new sequence numbers, so such a send
 * and its retry can both be in the topic (same event id: consumers count it once).
 */
export function mayHaveAppended(error: unknown): boolean {
  const leaves = (e: unknown): unknown[] => (e instanceof AggregateError ? e.errors.flatMap(leaves) : [e]);
  return !leaves(error).every((leaf) => (leaf as { apiId?: string }).apiId === 'NOT_ENOUGH_REPLICAS');
}

export interface MinInsyncProbeReport {
  /** Sends refused for too few in-sync replicas, by error. */
  readonly refusals: readonly (KafkaRefusal & { readonly count: number })[];
  /** Sends that failed otherwise (timeouts while the controller fenced the dead brokers). */
  readonly otherFailures: number;
  /** Failed sends that may have been appended all the same (mayHaveAppended). */
  readonly mayHaveAppended: number;
  /** From the kill to the first refusal, and to the send finally acknowledged. */
  readonly firstRefusalMs?: number;
  readonly acknowledgedMs?: number;
  /** Copies of the probe event in its topic at the end: from 1 to 1 + mayHaveAppended. */
  readonly copies: number;
}

export class MinInsyncProbe {
  private readonly eventId = randomUUID();
  private readonly refusals = new Map<string, KafkaRefusal & { count: number }>();
  private otherFailures = 0;
  private mayHaveAppended = 0;
  private firstRefusalAt?: number;
  private acknowledgedAt?: number;
  private running?: Promise<void>;

  constructor(
    private readonly bootstrap: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Creates the probe topic (RF 3, min ISR 2); call while every broker is up. */
  async prepare(): Promise<void> {
    const admin = new Admin({ clientId: 'local-probe', bootstrapBrokers: bootstrapList(this.bootstrap) });
    const { replicationFactor, minInsyncReplicas } = APP_REPLICATION;
    try {
      if ((await admin.listTopics()).includes(PROBE_TOPIC)) return;
      await admin.createTopics({
        topics: [PROBE_TOPIC],
        partitions: 1,
        replicas: replicationFactor,
        configs: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }],
      });
    } finally {
      await admin.close();
    }
  }

  /** Starts sending, right after the kill, until acknowledged or `giveUpMs` from `killedAt`. */
  start(killedAt: number, giveUpMs: number): void {
    this.running = this.sendUntilAcknowledged(killedAt, killedAt + giveUpMs);
  }

  async report(killedAt: number): Promise<MinInsyncProbeReport> {
    await this.running;
    const copies = (await readTopic(this.bootstrap, PROBE_TOPIC, { timeoutMs: 20_000 })).filter((r) =>
      r.value?.includes(this.eventId),
    ).length;
    return {
      refusals: [...this.refusals.values()],
      otherFailures: this.otherFailures,
      mayHaveAppended: this.mayHaveAppended,
      firstRefusalMs: this.firstRefusalAt === undefined ? undefined : this.firstRefusalAt - killedAt,
      acknowledgedMs: this.acknowledgedAt === undefined ? undefined : this.acknowledgedAt - killedAt,
      copies,
    };
  }

  private async sendUntilAcknowledged(killedAt: number, deadline: number): Promise<void> {
    // One publisher for every attempt, as a Lambda execution environment keeps its producer.
    const publisher = new KafkaEventPublisher({
      bootstrapBrokers: bootstrapList(this.bootstrap),
      auth: 'plaintext',
      clientId: 'local-min-insync-probe',
    });
    // Outside the contracts on purpose (see PROBE_TOPIC): the shape is a plain event envelope.
    const probe = {
      topic: PROBE_TOPIC as TopicName,
      key: 'probe',
      event: { event_type: 'MinInsyncProbe', event_id: this.eventId } as unknown as AnyEvent,
    };
    try {
      while (Date.now() < deadline) {
        try {
          await publisher.publish([probe]);
          this.acknowledgedAt = Date.now();
          this.log(
            `acks=all probe acknowledged ${((this.acknowledgedAt - killedAt) / 1000).toFixed(1)} s after the kill`,
          );
          return;
        } catch (error) {
          const refusal = minInsyncRefusal(error);
          if (mayHaveAppended(error)) this.mayHaveAppended++;
          if (!refusal) {
            this.otherFailures++;
          } else {
            if (this.firstRefusalAt === undefined) {
              this.firstRefusalAt = Date.now();
              this.log(`acks=all probe refused: ${refusal.error} (${refusal.code}); retrying until a broker is back`);
            }
            const seen = this.refusals.get(refusal.error) ?? { ...refusal, count: 0 };
            seen.count++;
            this.refusals.set(refusal.error, seen);
          }
          await sleep(1_000);
        }
      }
    } finally {
      await publisher.close().catch(() => undefined);
    }
  }
}
