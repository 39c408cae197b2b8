import type { MSKEvent } from 'aws-lambda';
import type { AnyEvent } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { PoisonRecordError } from '../shared/errors';
import { kafkaBatchHandler, type KafkaBatchResponse } from '../shared/kafka/batch';
import type { RecordContext } from '../shared/kafka/msk-event';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { chargeOrder, type ChargeDependencies } from './charge-order';
import { refundOrder } from './refund-order';

export interface BillingConsumerOptions extends ChargeDependencies {
  readonly partialBatchResponse: boolean;
}

/**
 * The billing consumer: OrderCreated (topic orders) is charged, OrderCancelled (topic
 * inventory_outcome) is refunded. Records that billing can never act on are dead-lettered by the
 * batch loop; logs carry the order_id, metrics count business outcomes, not records.
 */
export function billingConsumer(options: BillingConsumerOptions): (event: MSKEvent) => Promise<KafkaBatchResponse> {
  return kafkaBatchHandler({
    consumer: functionName('billing'),
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event, context) => handle(event, context, options),
  });
}

async function handle(event: AnyEvent, context: RecordContext, deps: ChargeDependencies): Promise<void> {
  switch (event.event_type) {
    case 'OrderCreated': {
      const { recorded, payment } = await chargeOrder(event, deps);
      if (!recorded) {
        metrics.addMetric('BillingOutcomesReEmitted', MetricUnit.Count, 1);
        logger.info('Order already charged; outcome re-emitted', {
          order_id: payment.order_id,
          payment_status: payment.payment_status,
        });
      } else if (payment.payment_status === 'paid') {
        metrics.addMetric('PaymentsCharged', MetricUnit.Count, 1);
        logger.info('Payment charged', { order_id: payment.order_id, transaction_id: payment.transaction_id });
      } else {
        metrics.addMetric('PaymentsDeclined', MetricUnit.Count, 1);
        logger.info('Payment declined', { order_id: payment.order_id, reason: payment.decline_reason });
      }
      return;
    }
    case 'OrderCancelled': {
      const result = await refundOrder(event, deps);
      if (result.kind === 'refunded') {
        metrics.addMetric('PaymentsRefunded', MetricUnit.Count, 1);
        logger.info('Payment refunded', { order_id: event.order_id, transaction_id: result.refundTransactionId });
      } else if (result.kind === 're-emitted') {
        metrics.addMetric('BillingOutcomesReEmitted', MetricUnit.Count, 1);
        logger.info('Order already refunded; refund repeated on the provider and outcome re-emitted', {
          order_id: event.order_id,
        });
      } else {
        metrics.addMetric('RefundsSkipped', MetricUnit.Count, 1);
        logger.warn('Cancelled order has no paid payment; nothing to refund', {
          order_id: event.order_id,
          payment_status: result.payment?.payment_status ?? 'none',
        });
      }
      return;
    }
    case 'StockReserved':
      // The mapping's filter lets only OrderCancelled through; a reserved order needs nothing from billing.
      return;
    default:
      throw new PoisonRecordError(`billing does not consume ${event.event_type} events (topic ${context.topic})`);
  }
}
