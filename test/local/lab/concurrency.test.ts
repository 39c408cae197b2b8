import { forEachConcurrently } from '../../../local/lab/concurrency';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('forEachConcurrently', () => {
  it('GIVEN more items than the bound WHEN run THEN every item is handled once, started in order, never more than the bound at once', async () => {
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;

    await forEachConcurrently([10, 11, 12, 13, 14, 15, 16], 3, async (item, index) => {
      expect(item - 10).toBe(index);
      started.push(item);
      most = Math.max(most, ++inFlight);
      for (let n = 0; n < (item % 3) + 1; n++) await tick();
      inFlight--;
    });

    expect(started).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(most).toBe(3);
    expect(inFlight).toBe(0);
  });

  it('GIVEN fewer items than the bound, or none WHEN run THEN each is handled and nothing waits', async () => {
    const seen: string[] = [];
    await forEachConcurrently(['a', 'b'], 16, async (item) => void seen.push(item));
    await forEachConcurrently([], 4, async () => void seen.push('never'));
    expect(seen).toEqual(['a', 'b']);
  });

  it('GIVEN a call that fails WHEN run THEN the whole run rejects with its error', async () => {
    await expect(
      forEachConcurrently([1, 2, 3], 2, async (item) => {
        await tick();
        if (item === 2) throw new Error('item 2 failed');
      }),
    ).rejects.toThrow('item 2 failed');
  });
});
