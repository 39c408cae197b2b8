import type { AnyEvent } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import type { RecordContext } from '../shared/kafka/msk-event';
import type { EventPublisher } from '../shared/kafka/publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { NotificationPendingError, notifyCustomer, type NotifyDependencies } from './send-notification';

export interface NotificationsConsumerOptions extends NotifyDependencies {
  readonly publisher: EventPublisher;
  readonly partialBatchResponse: boolean;
}

/**
 * The notification consumer on billing_outcome, inventory_outcome (OrderCancelled) and shipping
 * (ShipmentDispatched). Events that announce nothing to the customer are skipped; a failed send
 * is transient (retried), never dead-lettered: the customer still has to hear of the change.
 */
export function notificationsConsumer(
  options: NotificationsConsumerOptions,
): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('notifications'),
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event, context) => handle(event, context, options),
  });
}

async function handle(event: AnyEvent, context: RecordContext, deps: NotifyDependencies): Promise<void> {
  try {
    const outcome = await notifyCustomer(event, deps);
    if (outcome.kind === 'sent') {
      metrics.addMetric(METRICS.notificationsSent, MetricUnit.Count, 1);
      logger.info('Customer notified', { ...outcome.notice, attempt: outcome.attempt });
    } else if (outcome.kind === 'already-sent') {
      metrics.addMetric(METRICS.notificationDuplicates, MetricUnit.Count, 1);
      logger.info('Notification already sent', { ...outcome.notice, offset: context.offset });
    }
  } catch (error) {
    if (!(error instanceof NotificationPendingError)) metrics.addMetric(METRICS.notificationFailures, MetricUnit.Count, 1);
    throw error;
  }
}
