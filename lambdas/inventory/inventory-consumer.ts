import type { BillingOutcome } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { PoisonRecordError } from '../shared/errors';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import { logger, metrics, MetricUnit } from '../shared/observability';
import { reserveStock, type ReserveDependencies } from './reserve-stock';

export interface InventoryConsumerOptions extends ReserveDependencies {
  readonly partialBatchResponse: boolean;
}

/** The inventory consumer: a paid BillingOutcome reserves the order's stock or cancels the order. */
export function inventoryConsumer(options: InventoryConsumerOptions): KafkaBatchFunction {
  return kafkaBatchHandler({
    consumer: functionName('inventory'),
    eventTypes: ['BillingOutcome'],
    deadLetters: options.publisher,
    partialBatchResponse: options.partialBatchResponse,
    now: options.now,
    handle: (event) => handle(event, options),
  });
}

async function handle(event: BillingOutcome, deps: ReserveDependencies): Promise<void> {
  if (event.payment_status !== 'paid') {
    // The mapping filters on payment_status = paid; should a filter change let others through, they need no stock.
    logger.debug('Ignoring a billing outcome that is not paid', {
      order_id: event.order_id,
      payment_status: event.payment_status,
    });
    return;
  }
  if (!event.items) throw new PoisonRecordError('paid BillingOutcome without items: nothing to reserve');

  const { kind, reservation } = await reserveStock({ order_id: event.order_id, items: event.items }, deps);
  switch (kind) {
    case 'reserved':
      metrics.addMetric(METRICS.stockReserved, MetricUnit.Count, 1);
      logger.info('Stock reserved', { order_id: event.order_id });
      return;
    case 'rejected':
      metrics.addMetric(METRICS.ordersOutOfStock, MetricUnit.Count, 1);
      logger.info('Out of stock; order cancelled', {
        order_id: event.order_id,
        out_of_stock_products: reservation.out_of_stock_products,
      });
      return;
    case 're-emitted':
      metrics.addMetric(METRICS.inventoryOutcomesReEmitted, MetricUnit.Count, 1);
      logger.info('Order already decided; outcome re-emitted', {
        order_id: event.order_id,
        status: reservation.status,
      });
      return;
  }
}
