import { archiveBatch } from '../../../lambdas/archive/archive-batch';
import type { ArchiveStore } from '../../../lambdas/archive/ports';
import type { ArchiveObject } from '../../../lambdas/archive/archive-format';
import { mskEvent } from '../../support/msk';

class InMemoryArchiveStore implements ArchiveStore {
  readonly objects = new Map<string, Buffer>();
  readonly attempted: string[] = [];
  failOn: string | undefined;

  async put(object: ArchiveObject): Promise<void> {
    this.attempted.push(object.key);
    if (this.failOn && object.key.startsWith(this.failOn)) throw new Error(`SlowDown on ${object.key}`);
    this.objects.set(object.key, object.body);
  }
}

const batch = () =>
  mskEvent([
    { topic: 'orders', partition: 0, offset: 5, value: { n: 1 } },
    { topic: 'orders', partition: 0, offset: 6, value: { n: 2 } },
    { topic: 'orders', partition: 2, offset: 9, value: { n: 3 } },
    { topic: 'shipping', partition: 2, offset: 1, value: 'not json' },
  ]);

describe('archiveBatch', () => {
  it('GIVEN records of three topic-partitions WHEN archived THEN one object is written per topic-partition', async () => {
    const store = new InMemoryArchiveStore();

    const objects = await archiveBatch(batch(), store);

    expect(objects.map((o) => [o.key.replace(/\/dt=[^/]+\//, '/'), o.recordCount])).toEqual([
      ['orders/orders+0+00000000000000000005+00000000000000000006.jsonl.gz', 2],
      ['orders/orders+2+00000000000000000009+00000000000000000009.jsonl.gz', 1],
      ['shipping/shipping+2+00000000000000000001+00000000000000000001.jsonl.gz', 1],
    ]);
    expect([...store.objects.keys()]).toEqual(objects.map((o) => o.key));
  });

  it('GIVEN one write fails WHEN archived THEN every other write is still attempted and the batch fails naming the key', async () => {
    const store = new InMemoryArchiveStore();
    store.failOn = 'shipping/';

    await expect(archiveBatch(batch(), store)).rejects.toThrow(
      /1 of 3 archive object\(s\) failed to write \(shipping\//,
    );
    expect(store.attempted).toHaveLength(3);
  });

  it('GIVEN an event without records WHEN archived THEN nothing is written', async () => {
    const store = new InMemoryArchiveStore();
    expect(await archiveBatch(mskEvent([]), store)).toEqual([]);
    expect(store.attempted).toEqual([]);
  });
});
