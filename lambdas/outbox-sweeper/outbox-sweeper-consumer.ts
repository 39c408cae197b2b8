import type { ScheduledEvent } from 'aws-lambda';
import { METRICS } from '../shared/contracts/metrics';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { sweepOutbox, type SweepDependencies, type SweepReport, type SweepSettings } from './sweep-outbox';

/** The scheduled trigger to the use case; its outcome to logs and metrics. */
export function outboxSweeperConsumer(
  deps: SweepDependencies,
  settings: SweepSettings,
): (event: ScheduledEvent) => Promise<SweepReport> {
  return async () => {
    const report = await sweepOutbox(deps, settings);
    metrics.addMetric(METRICS.outboxEntriesSwept, MetricUnit.Count, report.republished.length);
    metrics.addMetric(METRICS.outboxSweepFailures, MetricUnit.Count, report.failed.length);
    if (report.republished.length > 0) {
      logger.warn('Re-published outbox entries no relay had marked published', { event_ids: report.republished });
    }
    for (const failure of report.failed) logger.error('Could not re-publish an outbox entry', failure);
    return report;
  };
}
