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

/** How long a claim holds when the consumer is called without a Lambda context, as in tests. */
const UNTIMED_CLAIM_MS = 60_000;

/**
 * The notification consumer on billing_outcome, inventory_outcome (OrderCancelled) and shipping
 * (ShipmentDispatched). Events that announce nothing to the customer are skipped; a failed send
 * is transient (retried), never dead-lettered: the customer still has to hear of the change.
 */
export function notificationsConsumer(options: NotificationsConsumerOptions): KafkaBatchFunction {
  let deadline = 0;
  const batch = kafkaBatchHandler({
    consumer: functionName('notifications'),
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event, record) => handle(event, record, options, deadline),
  });
  return (event, context) => {
    // Claims taken in this invocation hold until Lambda stops it (docs/design.md, "Notifications").
    deadline = options.now().getTime() + (context?.getRemainingTimeInMillis() ?? UNTIMED_CLAIM_MS);
    return batch(event, context);
  };
}

async function handle(
  event: AnyEvent,
  context: RecordContext,
  deps: NotifyDependencies,
  deadline: number,
): Promise<void> {
  try {
    const outcome = await notifyCustomer(event, deps, deadline);
    for (const { notice, attempt } of outcome.sent) {
      metrics.addMetric(METRICS.notificationsSent, MetricUnit.Count, 1);
      logger.info('Customer notified', { ...notice, attempt });
    }
    if (outcome.alreadySent) {
      metrics.addMetric(METRICS.notificationDuplicates, MetricUnit.Count, 1);
      logger.info('Notification already sent', { ...outcome.alreadySent, offset: context.offset });
    }
  } catch (error) {
    if (!(error instanceof NotificationPendingError))
      metrics.addMetric(METRICS.notificationFailures, MetricUnit.Count, 1);
    throw error;
  }
}
