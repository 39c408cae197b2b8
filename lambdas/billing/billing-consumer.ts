import type { OrderCancelled, OrderCreated, StockReserved } from '../shared/contracts/events';

type BillingEvent = OrderCreated | OrderCancelled | StockReserved;
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
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
export function billingConsumer(options: BillingConsumerOptions): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('billing'),
    eventTypes: ['OrderCreated', 'OrderCancelled', 'StockReserved'],
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event) => handle(event, options),
  });
}

async function handle(event: BillingEvent, deps: ChargeDependencies): Promise<void> {
  switch (event.event_type) {
    case 'OrderCreated': {
      const outcome = await chargeOrder(event, deps);
      if (outcome.kind === 'left-for-reconciler') {
        metrics.addMetric(METRICS.billingClaimsLeftForReconciler, MetricUnit.Count, 1);
        logger.error('Charge claimed beyond the provider key lifetime and never completed; not charged again', {
          order_id: event.order_id,
          requested_at: outcome.claim.requested_at,
        });
      } else if (outcome.kind === 're-emitted') {
        metrics.addMetric(METRICS.billingOutcomesReEmitted, MetricUnit.Count, 1);
        logger.info('Order already charged; outcome re-emitted', {
          order_id: event.order_id,
          payment_status: outcome.payment.payment_status,
        });
      } else if (outcome.payment.payment_status === 'paid') {
        metrics.addMetric(METRICS.paymentsCharged, MetricUnit.Count, 1);
        logger.info('Payment charged', { order_id: event.order_id, transaction_id: outcome.payment.transaction_id });
      } else {
        metrics.addMetric(METRICS.paymentsDeclined, MetricUnit.Count, 1);
        logger.info('Payment declined', { order_id: event.order_id, reason: outcome.payment.decline_reason });
      }
      return;
    }
    case 'OrderCancelled': {
      const result = await refundOrder(event, deps);
      switch (result.kind) {
        case 'refunded':
          metrics.addMetric(METRICS.paymentsRefunded, MetricUnit.Count, 1);
          logger.info('Payment refunded', {
            order_id: event.order_id,
            transaction_id: result.payment.refund_transaction_id,
          });
          return;
        case 're-emitted':
          metrics.addMetric(METRICS.billingOutcomesReEmitted, MetricUnit.Count, 1);
          logger.info('Order already refunded; outcome re-emitted', { order_id: event.order_id });
          return;
        case 'refund-failed':
          // Counted once per delivery that meets it; the alarm pages on any.
          metrics.addMetric(METRICS.refundsFailed, MetricUnit.Count, 1);
          logger.error('Refund refused by the provider for good; an operator must settle it', {
            order_id: event.order_id,
            reason: result.payment.refund_failure,
          });
          return;
        case 'left-for-reconciler':
          metrics.addMetric(METRICS.billingClaimsLeftForReconciler, MetricUnit.Count, 1);
          logger.error('Refund claimed beyond the provider key lifetime and never completed; not refunded again', {
            order_id: event.order_id,
            requested_at: result.payment.refund_requested_at,
          });
          return;
        case 'nothing-to-refund':
          metrics.addMetric(METRICS.refundsSkipped, MetricUnit.Count, 1);
          logger.warn('Cancelled order has no paid payment; nothing to refund', {
            order_id: event.order_id,
            payment_status: result.payment?.payment_status ?? 'none',
          });
          return;
      }
      return;
    }
    case 'StockReserved':
      // The mapping's filter lets only OrderCancelled through; a reserved order needs nothing from billing.
      return;
  }
}
