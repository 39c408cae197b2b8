import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { dynamo } from '../shared/dynamodb';
import { kafkaBatchHandler } from '../shared/kafka/batch';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { DynamoShipmentStore } from './adapters/dynamodb-shipment-store';
import { applyShippingEvent, type ShippingDependencies } from './apply-shipping-event';
import { loadShippingConfig } from './config';
import type { ShipmentEvent } from './shipment';

const OUTCOME_METRICS: Record<ShipmentEvent['event_type'], string> = {
  ShipmentCreated: 'ShipmentsCreated',
  ShipmentDispatched: 'ShipmentsDispatched',
  ShipmentCancelled: 'ShipmentsCancelled',
};

/** The batch function, built from its dependencies so that tests can pass fakes. */
export function shippingBatchHandler(deps: ShippingDependencies & { readonly partialBatchResponse: boolean }) {
  return kafkaBatchHandler({
    consumer: 'shipping',
    deadLetters: deps.publisher,
    partialBatchResponse: deps.partialBatchResponse,
    handle: async (event) => {
      const result = await applyShippingEvent(event, deps);
      if (!result) {
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

const config = loadShippingConfig();
// Created once per execution environment: the Kafka connection and the HTTP keep-alive pool of the
// DynamoDB client survive across invocations.
const publisher = new KafkaEventPublisher(config.kafka);

export const lambdaHandler = shippingBatchHandler({
  store: new DynamoShipmentStore(dynamo, config.shipmentsTable),
  publisher,
  partialBatchResponse: config.partialBatchResponse,
});

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
