import type { MSKEvent } from 'aws-lambda';
import { encodeBatch, type ArchiveObject } from './archive-format';
import type { ArchiveStore } from './ports';

/**
 * Archives a batch: one object per topic-partition, written in parallel. Any failed write fails the
 * whole batch, which comes back whole and overwrites its own objects (docs/design.md, "Archive").
 */
export async function archiveBatch(event: MSKEvent, store: ArchiveStore): Promise<ArchiveObject[]> {
  const objects = Object.values(event.records ?? {})
    .filter((records) => records.length > 0)
    .map((records) => encodeBatch(records));
  // allSettled, not all: every write has finished (or failed) before the invocation ends.
  const results = await Promise.allSettled(objects.map((object) => store.put(object)));
  const failures = results.flatMap((result, i) => (result.status === 'rejected' ? [{ result, i }] : []));
  if (failures.length > 0) {
    const keys = failures.map(({ i }) => objects[i]!.key).join(', ');
    throw new AggregateError(
      failures.map(({ result }) => (result as PromiseRejectedResult).reason),
      `${failures.length} of ${objects.length} archive object(s) failed to write (${keys}); the batch will be retried`,
    );
  }
  return objects;
}
