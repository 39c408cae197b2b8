import { ANALYTICS_COUNTER_SHARDS } from '../contracts/tables';
import { ANALYTICS_KEYS, counterShard, minuteOf } from './analytics-keys';

/**
 * Per-hop timings as the consumers themselves record them, so the dashboard shows the same figures
 * in AWS as locally (docs/design.md, "Latency on the dashboard"). Once per invocation (never per
 * record) a consumer adds its records' times to fixed histogram buckets of a one-minute item of
 * the analytics table (ANALYTICS_KEYS.hops, sharded like every counter), with one UpdateItem:
 * - `wait`: the invocation's start minus the record's timestamp, its time in the topic and in the
 *   mapping's batching window together (a function cannot tell them apart; the local runner can,
 *   see local/runtime/runner/hops.ts);
 * - `invoke`: the invocation's duration, which every record of it waited for;
 * - `lag`: once per invocation, the age of its oldest record when it started: how far behind its
 *   source the mapping was. `last_at`/`last_lag` keep the latest invocation's start and lag.
 * Percentiles read back from buckets are the bucket's upper bound: at most that many ms.
 */
export const HOP_BUCKETS_MS = [
  10, 20, 35, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 10_000, 30_000, 60_000, 300_000,
] as const;

export type HopMeasure = 'wait' | 'invoke' | 'lag';
export const HOP_MEASURES: readonly HopMeasure[] = ['wait', 'invoke', 'lag'];

/** Index of the bucket a duration falls in; the last index (HOP_BUCKETS_MS.length) holds everything longer. */
export function hopBucket(ms: number): number {
  const index = HOP_BUCKETS_MS.findIndex((bound) => ms <= bound);
  return index < 0 ? HOP_BUCKETS_MS.length : index;
}

/** Attribute names of a mapping's figures in a hops item. Mapping ids are alphanumeric (SUBSCRIPTIONS). */
export const HOP_ATTRIBUTES = {
  bucket: (mapping: string, measure: HopMeasure, bucket: number) => `${mapping}#${measure}#${bucket}`,
  records: (mapping: string) => `${mapping}#records`,
  invocations: (mapping: string) => `${mapping}#invocations`,
  lastAt: (mapping: string) => `${mapping}#last_at`,
  lastLag: (mapping: string) => `${mapping}#last_lag`,
} as const;

/** One invocation of one mapping, as the consumer saw it. */
export interface InvocationTimings {
  readonly mapping: string;
  /** Epoch ms when the handler started. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** The records' timestamps (epoch ms, as the event carries them). */
  readonly recordTimestamps: readonly number[];
}

/** The counters one invocation adds, and what it sets: the content of its one UpdateItem. */
export function invocationCounters(timings: InvocationTimings): {
  add: Record<string, number>;
  set: Record<string, number>;
} {
  const { mapping, startedAt, endedAt, recordTimestamps } = timings;
  const add: Record<string, number> = {};
  const bump = (name: string, by = 1) => (add[name] = (add[name] ?? 0) + by);
  const invokeMs = Math.max(0, endedAt - startedAt);
  let lagMs = 0;
  for (const timestamp of recordTimestamps) {
    const waitMs = Math.max(0, startedAt - timestamp);
    lagMs = Math.max(lagMs, waitMs);
    bump(HOP_ATTRIBUTES.bucket(mapping, 'wait', hopBucket(waitMs)));
  }
  bump(HOP_ATTRIBUTES.bucket(mapping, 'invoke', hopBucket(invokeMs)), recordTimestamps.length);
  bump(HOP_ATTRIBUTES.bucket(mapping, 'lag', hopBucket(lagMs)));
  bump(HOP_ATTRIBUTES.records(mapping), recordTimestamps.length);
  bump(HOP_ATTRIBUTES.invocations(mapping));
  return { add, set: { [HOP_ATTRIBUTES.lastAt(mapping)]: startedAt, [HOP_ATTRIBUTES.lastLag(mapping)]: lagMs } };
}

/** The hops item an invocation writes to: its minute, and a shard picked by mapping and partition. */
export function hopsKey(timings: InvocationTimings, partition: string, shards = ANALYTICS_COUNTER_SHARDS): string {
  return ANALYTICS_KEYS.hops(minuteOf(timings.startedAt), counterShard(`${timings.mapping}#${partition}`, shards));
}

export interface MappingHops {
  readonly mapping: string;
  readonly records: number;
  readonly invocations: number;
  /** Upper bounds of the buckets holding the 50th and 99th percentiles, in ms; undefined without samples. */
  readonly waitP50Ms?: number;
  readonly waitP99Ms?: number;
  readonly invokeP50Ms?: number;
  readonly invokeP99Ms?: number;
  /** The largest lag of the minutes read (the upper bound of its bucket). */
  readonly maxLagMs?: number;
  /** The latest invocation's start and its lag. */
  readonly lastInvocationAt?: number;
  readonly lastLagMs?: number;
}

/** A bucketed percentile: the upper bound of the bucket that holds it (the last bound for the open-ended bucket). */
export function bucketPercentile(counts: readonly number[], q: number): number | undefined {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((q / 100) * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return HOP_BUCKETS_MS[Math.min(i, HOP_BUCKETS_MS.length - 1)];
  }
  return HOP_BUCKETS_MS.at(-1);
}

/** The figures of every mapping found in some hops items (of several minutes and shards), by mapping id. */
export function summarizeHopItems(items: readonly Readonly<Record<string, unknown>>[]): MappingHops[] {
  const num = (value: unknown) => (typeof value === 'number' ? value : 0);
  const mappings = new Set<string>();
  for (const item of items) {
    for (const name of Object.keys(item)) if (name.endsWith('#invocations')) mappings.add(name.split('#')[0]!);
  }
  return [...mappings].sort().map((mapping) => {
    const counts = (measure: HopMeasure) =>
      Array.from({ length: HOP_BUCKETS_MS.length + 1 }, (_, bucket) =>
        items.reduce((sum, item) => sum + num(item[HOP_ATTRIBUTES.bucket(mapping, measure, bucket)]), 0),
      );
    const wait = counts('wait');
    const invoke = counts('invoke');
    const lag = counts('lag');
    let lastLagIndex = -1;
    lag.forEach((n, i) => (lastLagIndex = n > 0 ? i : lastLagIndex));
    let latest: Readonly<Record<string, unknown>> | undefined;
    for (const item of items) {
      if (num(item[HOP_ATTRIBUTES.lastAt(mapping)]) > num(latest?.[HOP_ATTRIBUTES.lastAt(mapping)])) latest = item;
    }
    return {
      mapping,
      records: items.reduce((sum, item) => sum + num(item[HOP_ATTRIBUTES.records(mapping)]), 0),
      invocations: items.reduce((sum, item) => sum + num(item[HOP_ATTRIBUTES.invocations(mapping)]), 0),
      waitP50Ms: bucketPercentile(wait, 50),
      waitP99Ms: bucketPercentile(wait, 99),
      invokeP50Ms: bucketPercentile(invoke, 50),
      invokeP99Ms: bucketPercentile(invoke, 99),
      maxLagMs: lastLagIndex < 0 ? undefined : HOP_BUCKETS_MS[Math.min(lastLagIndex, HOP_BUCKETS_MS.length - 1)],
      lastInvocationAt: latest ? num(latest[HOP_ATTRIBUTES.lastAt(mapping)]) : undefined,
      lastLagMs: latest ? num(latest[HOP_ATTRIBUTES.lastLag(mapping)]) : undefined,
    };
  });
}

/** Where a consumer puts its invocations' timings (an adapter: DynamoDbHopTimings). */
export interface HopTimingsRecorder {
  record(timings: InvocationTimings, partition: string): Promise<void>;
}
