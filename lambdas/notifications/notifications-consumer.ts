import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import type { RecordContext } from '../shared/kafka/msk-event';
import type { EventPublisher } from '../shared/kafka/publisher';
import type { Clock, RetryPolicy } from '../shared/kafka/retry-budget';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { NOTIFIABLE_EVENT_TYPES, type NotifiableEvent } from './notification';
import { NotificationPendingError, notifyCustomer, type Delivery, type NotifyDependencies } from './send-notification';

export interface NotificationsConsumerOptions extends NotifyDependencies {
  readonly publisher: EventPublisher;
  readonly partialBatchResponse: boolean;
  /** The batch loop's time and waits (defaults: the system clock, DEFAULT_RETRY_POLICY); tests pass virtual ones. */
  readonly clock?: Clock;
  readonly retryPolicy?: RetryPolicy;
}

/**
 * The notification consumer on billing_outcome, inventory_outcome (OrderCancelled) and shipping
 * (ShipmentDispatched). A failed send is transient (retried), never dead-lettered: the customer
 * still has to hear of the change.
 */
export function notificationsConsumer(options: NotificationsConsumerOptions): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('notifications'),
    eventTypes: NOTIFIABLE_EVENT_TYPES,
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    clock: options.clock,
    retryPolicy: options.retryPolicy,
    handle: (event, context) => handle(event, context, options),
  });
}

/** The claims of a delivery: its invocation (request id, end) and its record's position. */
export function deliveryOf(context: RecordContext): Delivery {
  const { requestId, endsAt, safetyMarginMs } = context.invocation;
  return { owner: `${requestId}/${context.topic}-${context.partition}@${context.offset}`, endsAt, safetyMarginMs };
}

async function handle(event: NotifiableEvent, context: RecordContext, deps: NotifyDependencies): Promise<void> {
  try {
    const outcome = await notifyCustomer(event, deps, deliveryOf(context));
    for (const { notice, attempt } of outcome.sent) {
      metrics.addMetric(METRICS.notificationsSent, MetricUnit.Count, 1);
      logger.info('Customer notified', { ...notice, attempt });
    }
    if (outcome.kind === 'already-sent') {
      metrics.addMetric(METRICS.notificationDuplicates, MetricUnit.Count, 1);
      logger.info('Notification already sent', { ...outcome.notice, offset: context.offset });
    }
  } catch (error) {
    if (!(error instanceof NotificationPendingError))
      metrics.addMetric(METRICS.notificationFailures, MetricUnit.Count, 1);
    throw error;
  }
}
