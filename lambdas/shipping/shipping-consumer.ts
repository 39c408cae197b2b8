import { functionName } from '../shared/contracts/functions';
import { METRICS, type MetricName } from '../shared/contracts/metrics';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { applyShippingEvent, type ShippingDependencies } from './apply-shipping-event';
import type { ShipmentEvent } from './shipment';

export interface ShippingConsumerOptions extends ShippingDependencies {
  readonly partialBatchResponse: boolean;
}

const OUTCOME_METRICS: Record<ShipmentEvent['event_type'], MetricName> = {
  ShipmentCreated: METRICS.shipmentsCreated,
  ShipmentDispatched: METRICS.shipmentsDispatched,
  ShipmentCancelled: METRICS.shipmentsCancelled,
};

/** The shipping consumer: paid outcomes and inventory outcomes become shipment facts and events. */
export function shippingConsumer(options: ShippingConsumerOptions): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('shipping'),
    eventTypes: ['BillingOutcome', 'StockReserved', 'OrderCancelled'],
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    handle: async (event) => {
      const result = await applyShippingEvent(event, options);
      if (result.kind === 'not-concerned') {
        logger.info('Event concerns no shipment; skipped', { event_type: event.event_type, event_id: event.event_id });
        return;
      }
      logger.info('Shipment fact applied', {
        order_id: result.orderId,
        fact: result.fact,
        status: result.status,
        emitted: result.emitted.map((e) => e.event_type),
      });
      // Counts publications: a redelivery after a crash before the offset commit counts again.
      for (const emitted of result.emitted) metrics.addMetric(OUTCOME_METRICS[emitted.event_type], MetricUnit.Count, 1);
    },
  });
}
