import fc from 'fast-check';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { ENV } from '../../../lambdas/shared/contracts/environment';
import { KEY_CONCURRENCY, keyConcurrencyFromEnv } from '../../../lambdas/shared/kafka/batch';
import type { RecordContext } from '../../../lambdas/shared/kafka/msk-event';
import { logger } from '../../../lambdas/shared/observability';
import { batchUnderTest, mskEvent, paidOutcome } from '../../support/msk';

const outcome = paidOutcome;

interface Spec {
  readonly partition: number;
  readonly key: string | null;
  /** Throws a transient error whenever it is attempted. */
  readonly fails: boolean;
  /** Event-loop turns the handler takes, to interleave the keys differently. */
  readonly turns: number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs a batch of specs and records what the handler saw (order_id `o<index>` names each spec). */
async function run(specs: readonly Spec[], keyConcurrency: number) {
  const attempts: { index: number; context: RecordContext }[] = [];
  const done = new Set<number>();
  const inFlight = new Map<number, number>();
  let maxInFlight = 0;
  const { handler } = batchUnderTest({
    keyConcurrency,
    handle: async (event: AnyEvent, context: RecordContext) => {
      const index = Number((event as { order_id: string }).order_id.slice(1));
      const spec = specs[index]!;
      attempts.push({ index, context });
      inFlight.set(spec.partition, (inFlight.get(spec.partition) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, ...inFlight.values());
      try {
        for (let i = 0; i < spec.turns; i += 1) await turn();
        if (spec.fails) throw new Error('Rate exceeded');
        done.add(index);
      } finally {
        inFlight.set(spec.partition, inFlight.get(spec.partition)! - 1);
      }
    },
  });
  const event = mskEvent(
    specs.map((spec, index) => ({
      topic: 'billing_outcome',
      partition: spec.partition,
      key: spec.key,
      value: outcome(`o${index}`),
    })),
  );
  const response = await handler(event);
  return { attempts, done, maxInFlight, response, event };
}

/** Mostly distinct keys, some shared, some null; about one record in eight fails transiently. */
const specArb: fc.Arbitrary<Spec> = fc.record({
  partition: fc.integer({ min: 0, max: 1 }),
  key: fc.option(fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5'), { freq: 8 }),
  fails: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
  turns: fc.integer({ min: 0, max: 3 }),
});
const batchArb = fc.tuple(fc.array(specArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 6 }));

const partitionOf = (specs: readonly Spec[], partition: number) =>
  specs.map((spec, index) => ({ ...spec, index })).filter((s) => s.partition === partition);

describe('kafkaBatchHandler with records of many keys', () => {
  // Hundreds of generated failures: their log lines would only slow the properties down.
  beforeAll(() => jest.spyOn(logger, 'error').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it('GIVEN any batch WHEN processed THEN each key runs in offset order and stops at its first failure', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, async ([specs, concurrency]) => {
        const { attempts } = await run(specs, concurrency);
        const byKey = new Map<string, number[]>();
        for (const { index, context } of attempts) {
          const id = `${context.partition}/${context.key}`;
          byKey.set(id, [...(byKey.get(id) ?? []), index]);
        }
        for (const indexes of byKey.values()) {
          const offsets = indexes.map((i) => attempts.find((a) => a.index === i)!.context.offset);
          expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
          const firstFailure = indexes.findIndex((i) => specs[i]!.fails);
          expect(indexes).toHaveLength(firstFailure >= 0 ? firstFailure + 1 : indexes.length);
        }
      }),
    );
  }, 60_000);

  it('GIVEN any batch WHEN processed THEN each partition reports exactly its lowest failed offset and everything behind it, and completed everything before it', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, async ([specs, concurrency]) => {
        const { attempts, done, response } = await run(specs, concurrency);
        for (const partition of [0, 1]) {
          const records = partitionOf(specs, partition);
          const offsetOf = (index: number) => records.findIndex((r) => r.index === index);
          const failed = attempts.filter((a) => a.context.partition === partition && specs[a.index]!.fails);
          const lowestFailed = Math.min(...failed.map((a) => a.context.offset));
          const reported = response.batchItemFailures
            .filter((f) => f.itemIdentifier.partition === `billing_outcome-${partition}`)
            .map((f) => f.itemIdentifier.offset);
          expect(reported).toEqual(records.map((_, offset) => offset).filter((offset) => offset >= lowestFailed));
          for (const record of records.filter((r) => offsetOf(r.index) < lowestFailed)) {
            expect(done.has(record.index)).toBe(true);
          }
        }
        const attemptsOf = (index: number) => attempts.filter((a) => a.index === index).length;
        expect(specs.every((_, index) => attemptsOf(index) <= 1)).toBe(true);
      }),
    );
  }, 60_000);

  it('GIVEN any batch and bound WHEN processed THEN no partition has more records in flight than the bound', async () => {
    await fc.assert(
      fc.asyncProperty(batchArb, async ([specs, concurrency]) => {
        const { maxInFlight } = await run(specs, concurrency);
        expect(maxInFlight).toBeLessThanOrEqual(concurrency);
      }),
    );
  }, 60_000);

  it('GIVEN records of different keys in one partition WHEN processed THEN they are in flight together', async () => {
    const specs = ['k1', 'k2', 'k3'].map((key) => ({ partition: 0, key, fails: false, turns: 2 }));
    const { maxInFlight, done } = await run(specs, 8);
    expect(maxInFlight).toBe(3);
    expect(done.size).toBe(3);
  });

  it('GIVEN records of one key WHEN processed THEN they never overlap', async () => {
    const specs = [0, 1, 2].map(() => ({ partition: 0, key: 'k1', fails: false, turns: 2 }));
    const { maxInFlight, attempts } = await run(specs, 8);
    expect(maxInFlight).toBe(1);
    expect(attempts.map((a) => a.context.offset)).toEqual([0, 1, 2]);
  });

  it('GIVEN a key that fails WHEN a later record of another key is already done THEN the partition still reports from the failed offset on', async () => {
    const specs: Spec[] = [
      { partition: 0, key: 'k1', fails: true, turns: 3 },
      { partition: 0, key: 'k2', fails: false, turns: 0 },
      { partition: 0, key: 'k1', fails: false, turns: 0 },
    ];
    const { response, done, attempts } = await run(specs, 8);
    expect(done.has(1)).toBe(true);
    expect(attempts.map((a) => a.index)).not.toContain(2);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier.offset)).toEqual([0, 1, 2]);
  });

  it('GIVEN a bound that is not a positive integer WHEN the handler is built THEN it is rejected', () => {
    expect(() => batchUnderTest({ keyConcurrency: 0 })).toThrow(/keyConcurrency must be a positive integer/);
  });
});

describe('keyConcurrencyFromEnv', () => {
  it('GIVEN KAFKA_KEY_CONCURRENCY set to a positive integer WHEN read THEN that is the bound', () => {
    expect(keyConcurrencyFromEnv({ [ENV.keyConcurrency]: '3' })).toBe(3);
  });

  it('GIVEN no KAFKA_KEY_CONCURRENCY WHEN read THEN the default bound applies', () => {
    expect(keyConcurrencyFromEnv({})).toBe(KEY_CONCURRENCY);
  });

  it.each(['0', '-2', '2.5', 'eight'])(
    'GIVEN KAFKA_KEY_CONCURRENCY=%s WHEN read THEN it is rejected with the name',
    (value) => {
      expect(() => keyConcurrencyFromEnv({ [ENV.keyConcurrency]: value })).toThrow(
        /KAFKA_KEY_CONCURRENCY must be a positive integer/,
      );
    },
  );
});
