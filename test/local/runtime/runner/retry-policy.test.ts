import fc from 'fast-check';
import type { ErrorHandling } from '../../../../local/runtime/runner/assembly';
import {
  bisect,
  decide,
  failedSuffixes,
  kafkaFailureReport,
  retryDelayMs,
  retryBudgetMs,
  retryLimit,
  runBatch,
  splitExpired,
  streamFailureReport,
  type DiscardInfo,
  type InvocationOutcome,
} from '../../../../local/runtime/runner/retry-policy';

interface Rec {
  readonly partition: string;
  readonly offset: number;
  readonly timestamp: number;
}

const rec = (partition: string, offset: number, timestamp = 0): Rec => ({ partition, offset, timestamp });
const codec = {
  position: (r: Rec) => ({ partition: r.partition, id: BigInt(r.offset) }),
  timestampMs: (r: Rec) => r.timestamp,
  report: kafkaFailureReport,
};
const settings = (overrides: Partial<ErrorHandling> = {}): ErrorHandling => ({
  maximumRetryAttempts: 2,
  bisectBatchOnFunctionError: false,
  reportBatchItemFailures: false,
  maximumRecordAgeSeconds: -1,
  ...overrides,
});
const ok = (response: unknown = null): InvocationOutcome => ({ ok: true, response });
const failed: InvocationOutcome = { ok: false, errorType: 'Error', errorMessage: 'boom' };
const failure = (partition: string, offset: number) => ({ itemIdentifier: { partition, offset } });
const ids = (records: readonly Rec[]) => records.map((r) => `${r.partition}@${r.offset}`);

describe('retryLimit', () => {
  it.each([
    [3, undefined, 3],
    [0, undefined, 0],
    [-1, undefined, Infinity],
    [-1, { type: 'kafka' as const, topic: 'dead_letter' }, 10],
    [25, { type: 'kafka' as const, topic: 'dead_letter' }, 25],
  ])(
    'GIVEN MaximumRetryAttempts %s and destination %j THEN Lambda retries at most %s times',
    (max, onFailure, limit) => {
      expect(retryLimit(settings({ maximumRetryAttempts: max, onFailure }))).toBe(limit);
    },
  );
});

describe('retryBudgetMs', () => {
  it.each([
    // dev: 3 retries, 30 s timeout: 4 attempts of 30 s and waits of 0.1 + 0.2 + 0.4 s.
    [3, 30, 120_700],
    // prod: 10 retries: 11 attempts and waits doubling from 0.1 s, capped at 5 s (26.3 s).
    [10, 30, 356_300],
    [0, 30, 30_000],
  ])(
    'GIVEN %s retries and a %s s timeout THEN a record is given up after at most %s ms',
    (retries, timeout, budget) => {
      expect(retryBudgetMs(settings({ maximumRetryAttempts: retries }), timeout)).toBe(budget);
    },
  );

  it('GIVEN infinite retries and no destination THEN the budget is infinite', () => {
    expect(retryBudgetMs(settings({ maximumRetryAttempts: -1 }), 30)).toBe(Infinity);
  });
});

describe('partial batch responses', () => {
  it.each([null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }, 'done'])(
    'GIVEN the response %j THEN the whole batch succeeded',
    (response) => {
      expect(kafkaFailureReport(response)).toEqual({ kind: 'none' });
    },
  );

  it.each([
    [{ batchItemFailures: [{ itemIdentifier: { partition: 'orders-0' } }] }],
    [{ batchItemFailures: [{ itemIdentifier: { partition: '', offset: 1 } }] }],
    [{ batchItemFailures: [{ itemIdentifier: null }] }],
    [{ batchItemFailures: [{}] }],
    [{ batchItemFailures: 'orders-0' }],
  ])('GIVEN the malformed response %j THEN it is invalid', (response) => {
    expect(kafkaFailureReport(response).kind).toBe('invalid');
  });

  it('GIVEN stream failures THEN sequence numbers are read from itemIdentifier', () => {
    expect(streamFailureReport({ batchItemFailures: [{ itemIdentifier: '4000000000000000001' }] })).toEqual({
      kind: 'items',
      items: [{ id: 4000000000000000001n }],
    });
    expect(streamFailureReport({ batchItemFailures: [{ itemIdentifier: '' }] }).kind).toBe('invalid');
  });

  it('GIVEN failures in two partitions THEN each partition is retried from its lowest failed offset', () => {
    const records = [rec('t-0', 1), rec('t-0', 2), rec('t-0', 3), rec('t-1', 7), rec('t-1', 8), rec('t-2', 1)];

    const suffixes = failedSuffixes(
      records,
      [
        { partition: 't-0', id: 3n },
        { partition: 't-0', id: 2n },
        { partition: 't-1', id: 8n },
      ],
      codec.position,
    );

    expect(ids(suffixes!)).toEqual(['t-0@2', 't-0@3', 't-1@8']);
  });

  it('GIVEN a failure naming a record not in the batch THEN there is no suffix (the whole batch fails)', () => {
    expect(failedSuffixes([rec('t-0', 1)], [{ partition: 't-0', id: 9n }], codec.position)).toBeUndefined();
    expect(failedSuffixes([rec('t-0', 1)], [{ partition: 't-1', id: 1n }], codec.position)).toBeUndefined();
  });
});

describe('decide', () => {
  const records = [rec('t-0', 0), rec('t-0', 1), rec('t-1', 0)];
  const input = (outcome: InvocationOutcome, attempt: number, overrides: Partial<ErrorHandling> = {}) => ({
    records,
    outcome,
    attempt,
    settings: settings(overrides),
    ...codec,
  });

  it('GIVEN success THEN the batch is done', () => {
    expect(decide(input(ok(), 0))).toEqual({ action: 'done' });
  });

  it('GIVEN a function error with retries left THEN the whole batch is retried with the attempt counted', () => {
    expect(decide(input(failed, 1))).toEqual({
      action: 'retry',
      records,
      attempt: 2,
      reason: 'Error: boom',
    });
  });

  it('GIVEN a function error with retries exhausted THEN the batch is discarded', () => {
    expect(decide(input(failed, 2))).toMatchObject({ action: 'discard', records });
  });

  it('GIVEN a function error with bisection on THEN the batch is split without counting a retry', () => {
    expect(decide(input(failed, 1, { bisectBatchOnFunctionError: true }))).toEqual({
      action: 'bisect',
      halves: [records.slice(0, 2), records.slice(2)],
      attempt: 1,
    });
  });

  it('GIVEN a one-record batch that fails with bisection on THEN it is retried (nothing left to split)', () => {
    const one = { ...input(failed, 0, { bisectBatchOnFunctionError: true }), records: [records[0]] };

    expect(decide(one)).toMatchObject({ action: 'retry', attempt: 1 });
  });

  it('GIVEN a partial failure reported without ReportBatchItemFailures THEN the response is ignored', () => {
    expect(decide(input(ok({ batchItemFailures: [failure('t-0', 1)] }), 0))).toEqual({ action: 'done' });
  });

  it('GIVEN a partial failure with ReportBatchItemFailures THEN only the failed suffix is retried', () => {
    const decision = decide(
      input(ok({ batchItemFailures: [failure('t-0', 1)] }), 0, { reportBatchItemFailures: true }),
    );

    expect(decision).toMatchObject({ action: 'retry', attempt: 1 });
    expect(ids((decision as { records: readonly Rec[] }).records)).toEqual(['t-0@1']);
  });

  it('GIVEN a partial failure on the last attempt THEN only the failed suffix is discarded', () => {
    const decision = decide(
      input(ok({ batchItemFailures: [failure('t-0', 0)] }), 2, { reportBatchItemFailures: true }),
    );

    expect(decision).toMatchObject({ action: 'discard' });
    expect(ids((decision as { records: readonly Rec[] }).records)).toEqual(['t-0@0', 't-0@1']);
  });

  it('GIVEN an identifier that is not in the batch THEN the whole batch is retried', () => {
    const decision = decide(
      input(ok({ batchItemFailures: [failure('t-5', 0)] }), 0, { reportBatchItemFailures: true }),
    );

    expect(decision).toMatchObject({ action: 'retry', records, attempt: 1 });
  });
});

describe('helpers', () => {
  it('GIVEN an odd batch WHEN bisected THEN the first half takes the middle record and order holds', () => {
    expect(bisect([1, 2, 3, 4, 5])).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('GIVEN a maximum record age WHEN records are checked THEN only older ones expire', () => {
    const records = [rec('t-0', 0, 1_000), rec('t-0', 1, 59_000), rec('t-0', 2, 61_000)];

    const { expired, fresh } = splitExpired(records, 120_000, 60, codec.timestampMs);

    expect(ids(expired)).toEqual(['t-0@0', 't-0@1']);
    expect(ids(fresh)).toEqual(['t-0@2']);
    expect(splitExpired(records, 1e12, -1, codec.timestampMs).expired).toEqual([]);
  });

  it('GIVEN successive retries THEN the delay doubles up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((n) => retryDelayMs(n, 100, 500))).toEqual([0, 100, 200, 400, 500]);
  });
});

/**
 * A simulated function over a batch: records in `bad` always fail. With partial responses it
 * processes each partition in order and reports the first failure (like kafkaBatchHandler);
 * without, it fails the whole invocation and has no effect (a transactional handler).
 */
function simulate(bad: ReadonlySet<string>, partial: boolean) {
  const completed: string[] = [];
  const discarded: string[] = [];
  const invocations: string[][] = [];
  const infos: DiscardInfo[] = [];
  const ops = {
    invoke: async (batch: readonly Rec[]): Promise<InvocationOutcome> => {
      invocations.push(ids(batch));
      if (!partial) {
        if (batch.some((r) => bad.has(`${r.partition}@${r.offset}`))) return failed;
        completed.push(...ids(batch));
        return ok();
      }
      const failures = [];
      for (const partition of new Set(batch.map((r) => r.partition))) {
        for (const r of batch.filter((b) => b.partition === partition)) {
          if (bad.has(`${r.partition}@${r.offset}`)) {
            failures.push(failure(r.partition, r.offset));
            break;
          }
          completed.push(`${r.partition}@${r.offset}`);
        }
      }
      return ok({ batchItemFailures: failures });
    },
    discard: async (records: readonly Rec[], info: DiscardInfo) => {
      discarded.push(...ids(records));
      infos.push(info);
    },
    sleep: async () => undefined,
    now: () => 0,
  };
  return { ops, completed, discarded, invocations, infos };
}

describe('runBatch', () => {
  it('GIVEN bisection and one bad record in the middle WHEN the batch runs THEN only that record is discarded and order holds', async () => {
    const records = Array.from({ length: 8 }, (_, i) => rec('t-0', i));
    const sim = simulate(new Set(['t-0@3']), false);

    const result = await runBatch(records, settings({ bisectBatchOnFunctionError: true }), codec, sim.ops);

    expect(sim.discarded).toEqual(['t-0@3']);
    expect(sim.completed).toEqual(['t-0@0', 't-0@1', 't-0@2', 't-0@4', 't-0@5', 't-0@6', 't-0@7']);
    expect(sim.infos).toEqual([expect.objectContaining({ condition: 'RetriesExhausted', approximateInvokeCount: 3 })]);
    expect(result).toEqual({ invocations: sim.invocations.length, discarded: 1 });
    // The lone bad record is tried once, then retried twice (MaximumRetryAttempts 2).
    expect(sim.invocations.filter((i) => i.length === 1 && i[0] === 't-0@3')).toHaveLength(3);
  });

  it('GIVEN no bisection and a bad record WHEN the batch runs THEN the whole batch is discarded after the retries', async () => {
    const records = [rec('t-0', 0), rec('t-0', 1)];
    const sim = simulate(new Set(['t-0@1']), false);

    await runBatch(records, settings({ maximumRetryAttempts: 1 }), codec, sim.ops);

    expect(sim.invocations).toEqual([
      ['t-0@0', 't-0@1'],
      ['t-0@0', 't-0@1'],
    ]);
    expect(sim.discarded).toEqual(['t-0@0', 't-0@1']);
  });

  it('GIVEN partial responses WHEN a record fails THEN its partition resumes there and other partitions are not redelivered', async () => {
    const records = [rec('t-0', 0), rec('t-0', 1), rec('t-0', 2), rec('t-1', 0)];
    const sim = simulate(new Set(['t-0@1']), true);

    await runBatch(records, settings({ reportBatchItemFailures: true }), codec, sim.ops);

    expect(sim.invocations).toEqual([
      ['t-0@0', 't-0@1', 't-0@2', 't-1@0'],
      ['t-0@1', 't-0@2'],
      ['t-0@1', 't-0@2'],
    ]);
    expect(sim.discarded).toEqual(['t-0@1', 't-0@2']);
    expect(sim.completed).toEqual(['t-0@0', 't-1@0']);
  });

  it('GIVEN records past their maximum age WHEN the batch runs THEN they go to the destination without an invocation', async () => {
    const records = [rec('t-0', 0, 0), rec('t-0', 1, 100_000)];
    const sim = simulate(new Set(), false);

    await runBatch(records, settings({ maximumRecordAgeSeconds: 60 }), codec, { ...sim.ops, now: () => 120_000 });

    expect(sim.discarded).toEqual(['t-0@0']);
    expect(sim.infos[0]).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
    expect(sim.invocations).toEqual([['t-0@1']]);
  });

  it('GIVEN retries WHEN the batch runs THEN it waits with exponential backoff between attempts', async () => {
    const sleeps: number[] = [];
    const sim = simulate(new Set(['t-0@0']), false);

    await runBatch([rec('t-0', 0)], settings({ maximumRetryAttempts: 3 }), codec, {
      ...sim.ops,
      sleep: async (ms) => void sleeps.push(ms),
    });

    expect(sleeps).toEqual([0, 100, 200, 400]);
  });

  it('GIVEN any batch, bad records and settings WHEN the batch runs THEN every good record completes once, every bad one is discarded, and each partition keeps its order', async () => {
    const arbitrary = fc.record({
      partitions: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
      badSeed: fc.array(fc.nat(), { maxLength: 3 }),
      bisectBatchOnFunctionError: fc.boolean(),
      partial: fc.boolean(),
      maximumRetryAttempts: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(
        arbitrary,
        async ({ partitions, badSeed, bisectBatchOnFunctionError, partial, maximumRetryAttempts }) => {
          const records = partitions.flatMap((count, p) => Array.from({ length: count }, (_, i) => rec(`t-${p}`, i)));
          const bad = new Set(badSeed.map((n) => ids([records[n % records.length]])[0]));
          const sim = simulate(bad, partial);

          await runBatch(
            records,
            settings({ bisectBatchOnFunctionError, reportBatchItemFailures: partial, maximumRetryAttempts }),
            codec,
            sim.ops,
          );

          const outcomes = [...sim.completed, ...sim.discarded];
          // Every record ends exactly once, completed or discarded, and no bad record ever completes.
          expect(outcomes.slice().sort()).toEqual(ids(records).slice().sort());
          expect(sim.completed.filter((id) => bad.has(id))).toEqual([]);
          // Every bad record is discarded; with bisection and whole-batch failures, nothing else is.
          expect([...bad].filter((id) => !sim.discarded.includes(id))).toEqual([]);
          const isolated = bisectBatchOnFunctionError && !partial;
          expect(!isolated || sim.discarded.length === bad.size).toBe(true);
          // Order: within a partition, completions are in offset order.
          for (const p of new Set(records.map((r) => r.partition))) {
            const completedOffsets = sim.completed
              .filter((id) => id.startsWith(`${p}@`))
              .map((id) => Number(id.split('@')[1]));
            expect(completedOffsets).toEqual([...completedOffsets].sort((a, b) => a - b));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
