import type { BillingOutcome } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { PoisonRecordError } from '../shared/errors';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import { logger, reportOutcome, type OutcomeReport } from '../shared/observability';
import { reserveStock, type ReserveDependencies, type ReserveOutcome } from './reserve-stock';

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

  const outcome = await reserveStock({ order_id: event.order_id, items: event.items }, deps);
  reportOutcome(RESERVE_REPORTS[outcome.kind], { order_id: event.order_id, ...reserveDetails(outcome) });
}

/** How each reservation outcome is counted and logged; reserveDetails adds what this one was. */
const RESERVE_REPORTS: Record<ReserveOutcome['kind'], OutcomeReport> = {
  reserved: { metric: METRICS.stockReserved, message: 'Stock reserved' },
  rejected: { metric: METRICS.ordersOutOfStock, message: 'Out of stock; order cancelled' },
  're-emitted': { metric: METRICS.inventoryOutcomesReEmitted, message: 'Order already decided; outcome re-emitted' },
};

function reserveDetails({ kind, reservation }: ReserveOutcome) {
  if (kind === 'rejected') return { out_of_stock_products: reservation.out_of_stock_products };
  return kind === 're-emitted' ? { status: reservation.status } : {};
}
