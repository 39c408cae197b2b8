import type { MSKEvent } from 'aws-lambda';
import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { archiveBatch } from './archive-batch';
import type { ArchiveStore } from './ports';

/**
 * The archive consumer. It returns nothing: the archive succeeds or fails as a whole batch and never
 * reports partial failures (docs/design.md, "Archive").
 */
export function archiveConsumer(store: ArchiveStore): (event: MSKEvent) => Promise<void> {
  return async (event) => {
    const objects = await archiveBatch(event, store);
    for (const object of objects) {
      logger.info('Archived records', {
        key: object.key,
        first_offset: object.firstOffset,
        last_offset: object.lastOffset,
        records: object.recordCount,
      });
      metrics.addMetric(METRICS.recordsArchived, MetricUnit.Count, object.recordCount);
    }
    metrics.addMetric(METRICS.archiveObjectsWritten, MetricUnit.Count, objects.length);
  };
}
