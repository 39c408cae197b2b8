import fc from 'fast-check';
import { archiveBatch } from '../../../lambdas/archive/archive-batch';
import { archivedRecords, decodeObject, recordOf } from '../../../lambdas/archive/archive-format';
import { InMemoryArchiveStore } from '../../support/doubles/archive';
import { mskEvent } from '../../support/msk';

const FIRST = 100;
const spec = (offset: number) => ({
  topic: 'orders',
  partition: 0,
  offset,
  key: `o-${offset % 7}`,
  value: { n: offset },
});
/** The batch Lambda would deliver for offsets first..last of one partition (same record, same bytes). */
const batch = (first: number, last: number) =>
  mskEvent(Array.from({ length: last - first + 1 }, (_, i) => spec(first + i)));

/** Archives the batches in the given order, then reads the bucket as every reader must: de-duplicated. */
async function archive(batches: readonly (readonly [number, number])[]) {
  const store = new InMemoryArchiveStore();
  for (const [first, last] of batches) await archiveBatch(batch(first, last), store);
  return archivedRecords([...store.objects.values()].map((body) => decodeObject(body)));
}

const offsetsOf = (batches: readonly (readonly [number, number])[]) =>
  [...new Set(batches.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)))].sort((a, b) => a - b);

/**
 * A partition's records as the group commits them (consecutive batches), plus the deliveries a
 * rebalance or lost commits add: any range of the same records, re-split differently.
 */
const deliveries = fc
  .record({
    cuts: fc.uniqueArray(fc.integer({ min: 1, max: 59 }), { maxLength: 8 }),
    length: fc.integer({ min: 1, max: 60 }),
    extra: fc.array(fc.tuple(fc.nat(59), fc.nat(59)), { maxLength: 6 }),
  })
  .chain(({ cuts, length, extra }) => {
    const bounds = [0, ...cuts.filter((c) => c < length).sort((a, b) => a - b), length];
    const committed = bounds.slice(1).map((end, i) => [FIRST + bounds[i]!, FIRST + end - 1] as const);
    const overlaps = extra.map(
      ([a, b]) => [FIRST + Math.min(a, b, length - 1), FIRST + Math.min(Math.max(a, b), length - 1)] as const,
    );
    // Any write may land last: the mapping's invocations of a partition are not ordered across a rebalance.
    return fc.shuffledSubarray([...committed, ...overlaps], { minLength: committed.length + overlaps.length });
  });

describe('I5: the archive neither loses nor double-counts records of overlapping batches', () => {
  it('GIVEN a rebalance (one invocation holds 100-149, the next 100-199) WHEN either write lands last THEN the archive reads 100-199 once each', async () => {
    for (const order of [
      [
        [100, 149],
        [100, 199],
      ],
      [
        [100, 199],
        [100, 149],
      ],
    ] as const) {
      const archived = await archive(order);

      expect([...archived.records.values()].map((line) => line.offset)).toEqual(offsetsOf([[100, 199]]));
      expect(archived.lines).toBe(150);
      expect(archived.conflicts).toEqual([]);
    }
  });

  it('GIVEN lost commits WHEN a batch is delivered again re-split (100-199, then 100-129 and 130-199) THEN nothing is lost or counted twice', async () => {
    const archived = await archive([
      [100, 199],
      [130, 199],
      [100, 129],
    ]);

    expect([...archived.records.keys()]).toHaveLength(100);
    expect(archived.conflicts).toEqual([]);
  });

  it('GIVEN any committed batches plus overlapping re-deliveries, written in any order WHEN the archive is read de-duplicated THEN every delivered record is there exactly once, as delivered', async () => {
    await fc.assert(
      fc.asyncProperty(deliveries, async (batches) => {
        const archived = await archive(batches);

        const offsets = offsetsOf(batches);
        expect([...archived.records.values()].map((line) => line.offset).sort((a, b) => a - b)).toEqual(offsets);
        expect(archived.conflicts).toEqual([]);
        for (const line of archived.records.values()) {
          expect(recordOf(line)).toEqual(batch(line.offset, line.offset).records['orders-0']![0]);
        }
      }),
      { numRuns: 200 },
    );
  });
});
