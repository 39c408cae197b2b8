import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { AnyEvent } from '../shared/contracts/events';
import { dynamo } from '../shared/dynamodb';
import { kafkaBatchHandler } from '../shared/kafka/batch';
import { KafkaEventPublisher } from '../shared/kafka/kafka-publisher';
import type { RecordContext } from '../shared/kafka/msk-event';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { DynamoDbOrderFactStore } from './adapters/dynamodb-order-store';
import { orderStatusConfig } from './consumer-config';
import { orderStatus } from './order';
import type { OrderFact } from './order-status';
import { recordOutcome } from './record-outcome';

/**
 * Projects the order status from billing_outcome, inventory_outcome and shipping. 1 DynamoDB round
 * trip per record (a conditional UpdateItem), duplicates and unknown orders included. It publishes
 * nothing of its own (a projection, not a step of the flow), so it needs neither outbox nor
 * re-emission; its Kafka producer is only for dead letters.
 */
const config = orderStatusConfig();
const store = new DynamoDbOrderFactStore(dynamo, config.ordersTable);
const deadLetters = new KafkaEventPublisher(config.kafka);

const FACT_METRICS: Record<OrderFact, string> = {
  paid: 'OrdersPaid',
  payment_declined: 'OrdersPaymentDeclined',
  refunded: 'OrdersRefunded',
  reserved: 'OrdersReserved',
  cancelled: 'OrdersCancelled',
  shipped: 'OrdersShipped',
  shipment_created: 'OrderShipmentsCreated',
  shipment_cancelled: 'OrderShipmentsCancelled',
};

async function projectRecord(event: AnyEvent, context: RecordContext): Promise<void> {
  const result = await recordOutcome(event, store);
  const details = {
    order_id: result.order.order_id,
    fact: result.fact,
    status: orderStatus(result.order),
    event_id: event.event_id,
    topic: context.topic,
    partition: context.partition,
    offset: context.offset,
  };
  if (result.outcome === 'duplicate') {
    metrics.addMetric('OrderFactDuplicates', MetricUnit.Count, 1);
    logger.info('Fact already recorded; duplicate ignored', details);
    return;
  }
  metrics.addMetric(FACT_METRICS[result.fact], MetricUnit.Count, 1);
  logger.info('Order fact recorded', details);
}

export const projectOrderStatus = kafkaBatchHandler({
  consumer: 'order-status',
  handle: projectRecord,
  deadLetters,
  partialBatchResponse: config.partialBatchResponse,
});

export const handler = middy(projectOrderStatus)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }));
