import type { Click, BillingOutcome } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { TOPICS } from '../shared/contracts/topics';
import { classifyError } from '../shared/errors';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import type { RecordContext } from '../shared/kafka/msk-event';
import type { EventPublisher } from '../shared/kafka/publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { countClick, countPaidOrder } from './count-events';
import { deadLetterCount, positionId } from './dead-letters';
import type { AnalyticsStore } from './ports';

export interface AnalyticsConsumerOptions {
  readonly store: AnalyticsStore;
  readonly publisher: EventPublisher;
  readonly partialBatchResponse: boolean;
  readonly now: () => Date;
}

/**
 * The analytics consumer: clicks are counted into windows, paid orders into conversion, dead
 * letters into the summary. Dead letters are read raw, without the schema check: Lambda's own
 * on-failure records do not match the DeadLetter schema. A dead letter that cannot be counted is
 * skipped by the batch loop with its reason, never dead-lettered again. Every count is exactly
 * once (I7); duplicates are counted as a metric only.
 */
export function analyticsConsumer(options: AnalyticsConsumerOptions): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('analytics'),
    eventTypes: ['Click', 'BillingOutcome'],
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event, context) => handle(event, context, options),
    raw: { topics: [TOPICS.deadLetter.name], handle: (context) => countDeadLetter(context, options) },
  });
}

async function handle(
  event: Click | BillingOutcome,
  context: RecordContext,
  options: AnalyticsConsumerOptions,
): Promise<void> {
  switch (event.event_type) {
    case 'Click': {
      const { kind, count } = await countClick(event, options.store, options.now());
      if (kind === 'duplicate') {
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
      const { kind } = await countPaidOrder(event, options.store);
      logger.debug('Paid order counted towards conversion', { order_id: event.order_id, result: kind });
      return;
    }
  }
}

/**
 * Counts one record of the dead-letter topic. One the store refuses for what it is (a key DynamoDB
 * will not take) is counted by its position instead; only if that is refused too does it fail, as
 * poison, which the batch loop logs and skips for this record alone.
 */
async function countDeadLetter({ record }: RecordContext, options: AnalyticsConsumerOptions): Promise<void> {
  const count = deadLetterCount(record);
  let result;
  try {
    result = await options.store.countDeadLetter(count);
  } catch (error) {
    const failure = classifyError(error);
    if (failure.kind !== 'poison' || count.id === positionId(record)) throw error;
    logger.warn('Dead letter cannot be counted by its id; counting it by its position', {
      partition: record.partition,
      offset: record.offset,
      reason: failure.reason,
    });
    result = await options.store.countDeadLetter({ ...count, id: positionId(record) });
  }
  logger.debug('Dead letter counted', {
    partition: record.partition,
    offset: record.offset,
    result: result.kind,
    ...count,
  });
}
