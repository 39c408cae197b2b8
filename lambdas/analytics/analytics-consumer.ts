import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { minuteOf } from '../shared/analytics/analytics-keys';
import type { AnyEvent } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { TOPICS } from '../shared/contracts/topics';
import { decodeBase64Strict } from '../shared/encoding';
import { PoisonRecordError } from '../shared/errors';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import type { RecordContext } from '../shared/kafka/msk-event';
import { DEFAULT_RETRY_POLICY, retryDeadline, systemClock, withTransientRetries } from '../shared/kafka/retry-budget';
import type { EventPublisher } from '../shared/kafka/publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { countClick, countPaidOrder } from './count-events';
import type { AnalyticsStore } from './ports';

export interface AnalyticsConsumerOptions {
  readonly store: AnalyticsStore;
  readonly publisher: EventPublisher;
  readonly partialBatchResponse: boolean;
  readonly now: () => Date;
}

/**
 * The analytics consumer: clicks are counted into windows, paid orders into conversion, dead
 * letters into the summary. Dead letters are counted raw, without the schema check: Lambda's own
 * on-failure records do not match the DeadLetter schema, and dead-lettering a dead letter would
 * loop. Every count is exactly once (I7); duplicates are counted as a metric only.
 */
export function analyticsConsumer(options: AnalyticsConsumerOptions): KafkaBatchFunction {
  const decoded = kafkaBatchHandler({
    consumer: functionName('analytics'),
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event, context) => handle(event, context, options),
  });

  return async (event, context) => {
    const deadLetters: MSKRecord[] = [];
    const others: MSKEvent['records'] = {};
    for (const [topicPartition, records] of Object.entries(event.records)) {
      if (records[0]?.topic === TOPICS.deadLetter.name) deadLetters.push(...records);
      else others[topicPartition] = records;
    }
    // Transient failures are waited out as the decoded records' are; a failure left after that
    // throws: the whole batch comes back, and the markers make the retry exact.
    const deadline = retryDeadline(systemClock, DEFAULT_RETRY_POLICY, context);
    for (const record of deadLetters) {
      await withTransientRetries(() => countDeadLetter(record, options), deadline, {
        clock: systemClock,
        policy: DEFAULT_RETRY_POLICY,
        onRetry: (retry) => {
          logger.warn('Transient failure counting a dead letter; retrying within the invocation', {
            partition: record.partition,
            offset: record.offset,
            ...retry,
          });
          metrics.addMetric(METRICS.transientRetries, MetricUnit.Count, 1);
        },
      });
    }
    return decoded({ ...event, records: others }, context);
  };
}

async function handle(event: AnyEvent, context: RecordContext, options: AnalyticsConsumerOptions): Promise<void> {
  switch (event.event_type) {
    case 'Click': {
      const { result, count } = await countClick(event, options.store, options.now());
      if (result === 'duplicate') {
        metrics.addMetric(METRICS.clickDuplicates, MetricUnit.Count, 1);
        logger.debug('Click already counted', { event_id: event.event_id, offset: context.offset });
        return;
      }
      metrics.addMetric(METRICS.clicksCounted, MetricUnit.Count, 1);
      if (count.late) {
        metrics.addMetric(METRICS.lateClicks, MetricUnit.Count, 1);
        logger.info('Late click counted outside its window', { event_id: event.event_id, clicked_at: event.timestamp });
      }
      return;
    }
    case 'BillingOutcome': {
      // The mapping's filter lets only `paid` through; anything else is nothing to convert.
      if (event.payment_status !== 'paid') return;
      const result = await countPaidOrder(event, options.store);
      logger.debug('Paid order counted towards conversion', { order_id: event.order_id, result });
      return;
    }
    default:
      throw new PoisonRecordError(`analytics does not consume ${event.event_type} events (topic ${context.topic})`);
  }
}

async function countDeadLetter(record: MSKRecord, options: AnalyticsConsumerOptions): Promise<void> {
  const result = await options.store.countDeadLetter({
    id: deadLetterId(record),
    minute: minuteOf(record.timestamp),
  });
  logger.debug('Dead letter counted', { partition: record.partition, offset: record.offset, result });
}

/**
 * A DeadLetter event's own id, stable even when a retrying producer writes it at a new offset;
 * for anything else (Lambda's on-failure records), the record's position.
 */
function deadLetterId(record: MSKRecord): string {
  try {
    const value = JSON.parse(decodeBase64Strict(record.value as string).toString('utf8')) as { event_id?: unknown };
    if (typeof value.event_id === 'string' && value.event_id !== '') return value.event_id;
  } catch {
    // Not JSON: counted by position below.
  }
  return `${record.topic}-${record.partition}@${record.offset}`;
}
