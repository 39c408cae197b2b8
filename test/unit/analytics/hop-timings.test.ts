import type { MSKEvent, MSKRecord } from 'aws-lambda';
import {
  bucketPercentile,
  HOP_BUCKETS_MS,
  hopBucket,
  invocationCounters,
  summarizeHopItems,
  type HopTimingsRecorder,
  type InvocationTimings,
} from '../../../lambdas/shared/analytics/hop-timings';
import { withHopTimings } from '../../../lambdas/shared/kafka/hop-timings';
import type { AnalyticsReader } from '../../../lambdas/analytics-api/ports';
import { HOPS_MINUTES, pipelineHops } from '../../../lambdas/analytics-api/read-analytics';
import { lastMinutes } from '../../../lambdas/shared/analytics/analytics-keys';

const T0 = Date.parse('2026-12-04T12:00:00.000Z');

describe('per-hop timings as the consumers record them', () => {
  it('GIVEN durations at and around the bucket bounds WHEN bucketed THEN each lands in the first bucket whose bound holds it, longer ones in the open bucket', () => {
    expect(hopBucket(0)).toBe(0);
    expect(hopBucket(10)).toBe(0);
    expect(hopBucket(11)).toBe(1);
    expect(hopBucket(1_000)).toBe(HOP_BUCKETS_MS.indexOf(1_000));
    expect(hopBucket(10_000_000)).toBe(HOP_BUCKETS_MS.length);
  });

  it('GIVEN counts per bucket WHEN a percentile is read THEN it is the bound of the bucket holding that rank', () => {
    const counts = new Array<number>(HOP_BUCKETS_MS.length + 1).fill(0);
    counts[hopBucket(40)] = 98; // <= 50
    counts[hopBucket(900)] = 2; // <= 1000
    expect(bucketPercentile(counts, 50)).toBe(50);
    expect(bucketPercentile(counts, 98)).toBe(50);
    expect(bucketPercentile(counts, 99)).toBe(1_000);
    expect(
      bucketPercentile(
        counts.map(() => 0),
        99,
      ),
    ).toBeUndefined();
  });

  it('GIVEN two invocations of one mapping written to two shards WHEN the items are summarized THEN p50/p99 come from both, and the latest invocation gives the lag now', () => {
    const first: InvocationTimings = {
      mapping: 'BillingOrders',
      startedAt: T0,
      endedAt: T0 + 120,
      recordTimestamps: [T0 - 30, T0 - 40, T0 - 2_500],
    };
    const second: InvocationTimings = {
      mapping: 'BillingOrders',
      startedAt: T0 + 5_000,
      endedAt: T0 + 5_060,
      recordTimestamps: [T0 + 4_990],
    };
    const item = (t: InvocationTimings) => {
      const { add, set } = invocationCounters(t);
      return { ...add, ...set };
    };
    const [hops] = summarizeHopItems([item(second), item(first)]);
    expect(hops).toEqual({
      mapping: 'BillingOrders',
      records: 4,
      invocations: 2,
      waitP50Ms: 35, // 10, 30, 40, 2500 ms -> buckets <=10, <=35, <=50, <=3000
      waitP99Ms: 3_000,
      invokeP50Ms: 150, // three records of a 120 ms invocation, one of a 60 ms one
      invokeP99Ms: 150,
      maxLagMs: 3_000,
      lastInvocationAt: T0 + 5_000,
      lastLagMs: 10,
    });
  });
});

describe('withHopTimings', () => {
  const record = (partition: number, timestamp: number): MSKRecord =>
    ({
      topic: 'orders',
      partition,
      offset: 0,
      timestamp,
      timestampType: 'CREATE_TIME',
      key: '',
      value: '',
      headers: [],
    }) as MSKRecord;
  const event = (records: MSKRecord[]): MSKEvent =>
    ({
      eventSource: 'aws:kafka',
      records: records.reduce<Record<string, MSKRecord[]>>(
        (byPartition, r) => ({
          ...byPartition,
          [`orders-${r.partition}`]: [...(byPartition[`orders-${r.partition}`] ?? []), r],
        }),
        {},
      ),
    }) as unknown as MSKEvent;

  it('GIVEN a batch over two partitions WHEN the consumer runs THEN one write records every record, under the mapping of the topic, and the response is the batch loop’s', async () => {
    const writes: { timings: InvocationTimings; partition: string }[] = [];
    const recorder: HopTimingsRecorder = {
      record: async (timings, partition) => void writes.push({ timings, partition }),
    };
    const clock = [T0, T0 + 80];
    const failures = { batchItemFailures: [{ itemIdentifier: { partition: 'orders-1', offset: 0 } }] };
    const handler = withHopTimings(
      'billing',
      async () => failures,
      recorder,
      () => clock.shift()!,
    );

    const response = await handler(event([record(0, T0 - 20), record(1, T0 - 50)]));

    expect(response).toBe(failures);
    expect(writes).toEqual([
      {
        timings: { mapping: 'BillingOrders', startedAt: T0, endedAt: T0 + 80, recordTimestamps: [T0 - 20, T0 - 50] },
        partition: 'orders-0',
      },
    ]);
  });

  it('GIVEN the timings write fails WHEN the consumer runs THEN the batch result stands', async () => {
    const recorder: HopTimingsRecorder = { record: async () => Promise.reject(new Error('throttled')) };
    const handler = withHopTimings('billing', async () => ({ batchItemFailures: [] }), recorder);
    await expect(handler(event([record(0, T0)]))).resolves.toEqual({ batchItemFailures: [] });
  });
});

describe('GET /analytics/pipeline', () => {
  it('GIVEN the hops of the last minutes WHEN the API reads them THEN it asks for the last HOPS_MINUTES and answers in snake case, null where nothing was recorded', async () => {
    const asked: string[][] = [];
    const reader = {
      hops: async (minutes: readonly string[]) => {
        asked.push([...minutes]);
        return [
          {
            mapping: 'BillingOrders',
            records: 3,
            invocations: 2,
            waitP50Ms: 35,
            waitP99Ms: 3_000,
            invokeP50Ms: 150,
            invokeP99Ms: 150,
            maxLagMs: 3_000,
            lastInvocationAt: T0,
            lastLagMs: 10,
          },
          { mapping: 'ShippingStock', records: 0, invocations: 0 },
        ];
      },
    } as unknown as AnalyticsReader;

    const body = await pipelineHops(reader, new Date(T0 + 30_000));

    expect(asked).toEqual([lastMinutes(new Date(T0 + 30_000), HOPS_MINUTES)]);
    expect(body).toEqual({
      generated_at: new Date(T0 + 30_000).toISOString(),
      window_minutes: HOPS_MINUTES,
      mappings: [
        {
          mapping: 'BillingOrders',
          records: 3,
          invocations: 2,
          wait_p50_ms: 35,
          wait_p99_ms: 3_000,
          invoke_p50_ms: 150,
          invoke_p99_ms: 150,
          max_lag_ms: 3_000,
          last_lag_ms: 10,
          last_invocation_at: new Date(T0).toISOString(),
        },
        {
          mapping: 'ShippingStock',
          records: 0,
          invocations: 0,
          wait_p50_ms: null,
          wait_p99_ms: null,
          invoke_p50_ms: null,
          invoke_p99_ms: null,
          max_lag_ms: null,
          last_lag_ms: null,
          last_invocation_at: null,
        },
      ],
    });
  });
});
