/**
 * `--kill-broker-after N` on a three-broker cluster: SIGKILL the broker that leads the most
 * partitions once N orders are placed (or, with `--kill-brokers 2`, the other two, so that one
 * in-sync replica is left and the min-ISR probe runs), start it again after a while, and record what Kafka did:
 * leaders before and after, under-replicated partitions over time, and the high watermarks seen.
 * Every offset below a partition's high watermark is on every in-sync replica, i.e. acknowledged to
 * an acks=all producer; the summary checks that each of them is still readable at the end.
 */
import { Admin } from '@platformatic/kafka';
import { TOPICS } from '../../../lambdas/shared/contracts/topics';
import type { KafkaCluster, KafkaNode } from '../../runtime/services';
import { sleep } from '../../runtime/services/process';
import { endOffsets, type TopicRecord } from './kafka-inspect';
import { MinInsyncProbe, type MinInsyncProbeReport } from './min-insync-probe';

export interface FailoverReport {
  /** node.id of the brokers killed with SIGKILL (one, or two with `--kill-brokers 2`). */
  readonly killedBrokers: readonly number[];
  /** Orders placed when it was killed. */
  readonly killedAfterOrders: number;
  /** From the kill to the restarted broker answering again. */
  readonly downMs: number;
  /** Partitions (`topic-partition`) whose leader changed, with the leaders before, after the kill and at the end. */
  readonly leaderElections: readonly { readonly partition: string; readonly leaders: readonly number[] }[];
  /** Under-replicated partitions, sampled every second from the kill on (ms since the kill). */
  readonly underReplicated: readonly { readonly atMs: number; readonly partitions: number }[];
  /** From the kill to the next order reaching a terminal state. */
  readonly killToFirstProcessedMs?: number;
  /** Acknowledged offsets (highest high watermark seen) against the records readable at the end. */
  readonly acknowledged: { readonly records: number; readonly readable: number; readonly lost: readonly string[] };
  /** With two brokers down: how acks=all sends were refused and retried (MinInsyncProbe). */
  readonly belowMinInsync?: MinInsyncProbeReport;
}

export interface BrokerFailoverOptions {
  readonly afterOrders: number;
  /** How long the broker stays down. */
  readonly downMs: number;
  /** Brokers killed at once: 1 (a failover) or 2 (below min.insync.replicas). */
  readonly brokersKilled?: 1 | 2;
  readonly log: (line: string) => void;
}

const SAMPLE_MS = 1_000;
/** How long the probe keeps retrying once the brokers are due back (their JVM start included). */
const PROBE_AFTER_RESTART_MS = 90_000;
const TOPIC_NAMES = Object.values(TOPICS).map((t) => t.name);

export class BrokerFailover {
  private killed?: { nodes: readonly KafkaNode[]; at: number; afterOrders: number };
  private probe?: MinInsyncProbe;
  private probeReport?: MinInsyncProbeReport;
  private restarted?: Promise<number>;
  private sampler?: NodeJS.Timeout;
  private sampling = false;
  private readonly leaders = new Map<string, number[]>();
  private readonly underReplicated: { atMs: number; partitions: number }[] = [];
  private readonly highWatermarks = new Map<string, number>();
  private firstProcessedAt?: number;
  private downMs?: number;
  private terminalAtKill = 0;
  private terminal = 0;

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly options: BrokerFailoverOptions,
  ) {}

  /** Call with the number of orders placed so far; kills a broker once, when it reaches afterOrders. */
  onPlaced(placed: number): void {
    if (this.killed || this.restarted || placed < this.options.afterOrders) return;
    this.restarted = this.killAndRestart(placed);
    this.restarted.catch(() => undefined);
  }

  /** Call with the number of terminal orders after each poll. */
  onTerminal(terminal: number): void {
    this.terminal = terminal;
    if (this.killed && this.firstProcessedAt === undefined && terminal > this.terminalAtKill) {
      this.firstProcessedAt = Date.now();
    }
  }

  /** Waits for the killed broker to be back and every partition in sync again (at most a minute). */
  async settle(): Promise<void> {
    if (!this.restarted) return;
    this.downMs = await this.restarted;
    this.probeReport = await this.probe?.report(this.killed!.at);
    for (let i = 0; i < 60 && (await this.sample(this.killed?.at)) > 0; i++) await sleep(SAMPLE_MS);
    clearInterval(this.sampler);
  }

  /** After settle(): the failover, and the acknowledged offsets compared with the records readable now. */
  report(records: ReadonlyMap<string, readonly TopicRecord[]>): FailoverReport | undefined {
    if (!this.killed || this.downMs === undefined) return undefined;
    const { nodes, at, afterOrders } = this.killed;
    const { downMs } = this;

    let acknowledged = 0;
    let readable = 0;
    const lost: string[] = [];
    for (const [partition, hw] of this.highWatermarks) {
      const [topic, index] = splitPartition(partition);
      const offsets = new Set(
        (records.get(topic) ?? []).filter((r) => r.partition === index && r.offset < hw).map((r) => r.offset),
      );
      acknowledged += hw;
      readable += offsets.size;
      if (offsets.size < hw) lost.push(`${partition}: ${hw - offsets.size} of ${hw}`);
    }
    return {
      killedBrokers: nodes.map((n) => n.id),
      killedAfterOrders: afterOrders,
      downMs,
      leaderElections: [...this.leaders]
        .filter(([, seen]) => new Set(seen).size > 1)
        .map(([partition, seen]) => ({ partition, leaders: seen })),
      underReplicated: this.underReplicated,
      killToFirstProcessedMs: this.firstProcessedAt === undefined ? undefined : this.firstProcessedAt - at,
      acknowledged: { records: acknowledged, readable, lost },
      belowMinInsync: this.probeReport,
    };
  }

  stop(): void {
    clearInterval(this.sampler);
  }

  private async killAndRestart(placed: number): Promise<number> {
    await this.sample();
    const busiest = this.busiestLeader();
    // Two down: the busiest leader survives, so its partitions keep their leader and refuse at once.
    const nodes = this.options.brokersKilled === 2 ? this.cluster.nodes.filter((n) => n !== busiest) : [busiest];
    const names = nodes.map((n) => n.id).join(' and ');
    if (nodes.length > 1) {
      this.probe = new MinInsyncProbe(this.cluster.bootstrap, this.options.log);
      await this.probe.prepare();
    }
    this.terminalAtKill = this.terminal;
    const at = Date.now();
    this.killed = { nodes, at, afterOrders: placed };
    this.options.log(`Killing Kafka broker ${names} (SIGKILL) after ${placed} orders placed...`);
    await Promise.all(nodes.map((n) => n.kill()));
    this.probe?.start(at, this.options.downMs + PROBE_AFTER_RESTART_MS);
    this.sampler = setInterval(() => void this.sample(at).catch(() => undefined), SAMPLE_MS);
    await sleep(this.options.downMs);
    this.options.log(`Restarting Kafka broker ${names}...`);
    await Promise.all(nodes.map((n) => n.restart()));
    const downMs = Date.now() - at;
    this.options.log(`Kafka broker ${names} back after ${(downMs / 1000).toFixed(1)} s`);
    return downMs;
  }

  /** The node leading the most partitions: killing it moves the most leaders. */
  private busiestLeader(): KafkaNode {
    const led = new Map<number, number>();
    for (const seen of this.leaders.values()) led.set(seen.at(-1)!, (led.get(seen.at(-1)!) ?? 0) + 1);
    return [...this.cluster.nodes].sort((a, b) => (led.get(b.id) ?? 0) - (led.get(a.id) ?? 0))[0]!;
  }

  /** Records leaders, in-sync replicas and high watermarks; returns the under-replicated partitions. */
  private async sample(killedAt?: number): Promise<number> {
    if (this.sampling) return Number.POSITIVE_INFINITY;
    this.sampling = true;
    // The killed brokers are left out even once restarted: the others answer for the cluster.
    const alive = this.cluster.nodes.filter((n) => !this.killed?.nodes.includes(n));
    const admin = new Admin({
      clientId: 'local-failover',
      bootstrapBrokers: alive.map((n) => n.bootstrap),
      connectTimeout: 2_000,
      retries: 1,
    });
    try {
      const metadata = await admin.metadata({ topics: TOPIC_NAMES, forceUpdate: true });
      let underReplicated = 0;
      for (const [topic, { partitions }] of metadata.topics) {
        partitions.forEach((p, index) => {
          const key = `${topic}-${index}`;
          const seen = this.leaders.get(key) ?? [];
          if (p.leader >= 0 && seen.at(-1) !== p.leader) seen.push(p.leader);
          this.leaders.set(key, seen);
          if (p.isr.length < p.replicas.length) underReplicated++;
        });
      }
      if (killedAt !== undefined)
        this.underReplicated.push({ atMs: Date.now() - killedAt, partitions: underReplicated });
      const ends = await endOffsets(alive.map((n) => n.bootstrap).join(','), TOPIC_NAMES);
      for (const [topic, offsets] of ends) {
        offsets.forEach((hw, index) => {
          const key = `${topic}-${index}`;
          this.highWatermarks.set(key, Math.max(hw, this.highWatermarks.get(key) ?? 0));
        });
      }
      return underReplicated;
    } finally {
      this.sampling = false;
      await admin.close().catch(() => undefined);
    }
  }
}

function splitPartition(key: string): [string, number] {
  const at = key.lastIndexOf('-');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}
