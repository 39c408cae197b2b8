import { functionName } from '../shared/contracts/functions';
import { METRICS, type MetricName } from '../shared/contracts/metrics';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import type { EventPublisher } from '../shared/kafka/publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { orderStatus } from '../shared/orders/order';
import type { OrderFact } from '../shared/orders/order-status';
import { activeTrace } from '../shared/trace-context';
import type { OrderFactStore, StatusCounter } from './ports';
import { recordOutcome } from './record-outcome';

export interface OrderStatusConsumerOptions {
  readonly store: OrderFactStore;
  readonly counter: StatusCounter;
  /** For dead letters only: the projector emits no events of its own. */
  readonly publisher: EventPublisher;
  readonly partialBatchResponse: boolean;
}

const FACT_METRICS: Record<OrderFact, MetricName> = {
  paid: METRICS.ordersPaid,
  payment_declined: METRICS.ordersPaymentDeclined,
  refunded: METRICS.ordersRefunded,
  reserved: METRICS.ordersReserved,
  cancelled: METRICS.ordersCancelled,
  shipped: METRICS.ordersShipped,
  shipment_created: METRICS.orderShipmentsCreated,
  shipment_cancelled: METRICS.orderShipmentsCancelled,
};

/** The status projector: each outcome event becomes a fact on its order (a projection, not a step). */
export function orderStatusConsumer(options: OrderStatusConsumerOptions): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('orderStatus'),
    eventTypes: [
      'BillingOutcome',
      'StockReserved',
      'OrderCancelled',
      'ShipmentCreated',
      'ShipmentDispatched',
      'ShipmentCancelled',
    ],
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    handle: async (event, context) => {
      const result = await recordOutcome(event, options.store, options.counter, {
        at: new Date(),
        traceId: activeTrace()?.traceId,
      });
      const details = {
        order_id: result.order.order_id,
        fact: result.fact,
        status: orderStatus(result.order),
        event_id: event.event_id,
        topic: context.topic,
        partition: context.partition,
        offset: context.offset,
      };
      if (result.kind === 'duplicate') {
        metrics.addMetric(METRICS.orderFactDuplicates, MetricUnit.Count, 1);
        logger.info('Fact already recorded; duplicate ignored', details);
        return;
      }
      metrics.addMetric(FACT_METRICS[result.fact], MetricUnit.Count, 1);
      logger.info('Order fact recorded', details);
    },
  });
}
