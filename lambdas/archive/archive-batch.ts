import type { MSKEvent } from 'aws-lambda';
import { encodeBatch, type ArchiveObject } from './archive-format';
import type { ArchiveStore } from './ports';

/**
 * Archives a batch: one object per topic-partition, written in parallel. Any failed write fails the
 * whole batch (the function throws), and the batch comes back whole.
 *
 * Why a redelivery overwrites rather than duplicates: a Kafka event source mapping commits offsets
 * only after a successful invocation, and resumes a partition at its committed offset, which is
 * always the first offset of a batch. A redelivered batch therefore starts at the same first offset,
 * gets the same object key and replaces the object (with identical bytes, or with more or fewer
 * records if the poller batched differently, in which case the next batch starts where this one
 * ends). It cannot start in the middle of an object.
 *
 * That reasoning breaks if the function ever reports partial failures: Lambda would commit up to the
 * failed offset and redeliver from there, a key in the middle of an existing object, and the records
 * after it would be archived twice. So the archive never returns batchItemFailures, and its mapping
 * must not bisect batches on error either (a bisected half also starts mid-object).
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
