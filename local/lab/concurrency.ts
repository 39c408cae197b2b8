/**
 * Runs `each` over `items` with at most `concurrency` calls in flight, taking the items in order;
 * resolves when all are done, rejects with the first error (the calls already started run on).
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  each: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await each(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
