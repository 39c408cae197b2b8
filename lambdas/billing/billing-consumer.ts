import type { OrderCancelled, OrderCreated, StockReserved } from '../shared/contracts/events';
import { functionName } from '../shared/contracts/functions';
import { METRICS } from '../shared/contracts/metrics';
import { kafkaBatchHandler, type KafkaBatchFunction } from '../shared/kafka/batch';
import { reportOutcome, type OutcomeReport } from '../shared/observability';
import { chargeOrder, type ChargeDependencies, type ChargeOutcome } from './charge-order';
import { refundOrder, type RefundOutcome } from './refund-order';

type BillingEvent = OrderCreated | OrderCancelled | StockReserved;

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
      reportOutcome(CHARGE_REPORTS[chargeReportOf(outcome)], { order_id: event.order_id, ...chargeDetails(outcome) });
      return;
    }
    case 'OrderCancelled': {
      const outcome = await refundOrder(event, deps);
      reportOutcome(REFUND_REPORTS[outcome.kind], { order_id: event.order_id, ...refundDetails(outcome) });
      return;
    }
    case 'StockReserved':
      // The mapping's filter lets only OrderCancelled through; a reserved order needs nothing from billing.
      return;
  }
}

/** A charge is reported by its outcome, and a completed one by the provider's answer. */
type ChargeReport = Exclude<ChargeOutcome['kind'], 'charged'> | 'paid' | 'declined';

function chargeReportOf(outcome: ChargeOutcome): ChargeReport {
  if (outcome.kind !== 'charged') return outcome.kind;
  return outcome.payment.payment_status === 'paid' ? 'paid' : 'declined';
}

/** A claim so old the provider may have forgotten its key: not carried out again, the reconciler's (an alarm pages). */
const leftForReconciler = (claim: 'Charge' | 'Refund', done: 'charged' | 'refunded'): OutcomeReport => ({
  metric: METRICS.billingClaimsLeftForReconciler,
  level: 'error',
  message: `${claim} claimed beyond the provider key lifetime and never completed; not ${done} again`,
});

/** How each charge outcome is counted and logged; chargeDetails adds what this one was. */
const CHARGE_REPORTS: Record<ChargeReport, OutcomeReport> = {
  paid: { metric: METRICS.paymentsCharged, message: 'Payment charged' },
  declined: { metric: METRICS.paymentsDeclined, message: 'Payment declined' },
  're-emitted': { metric: METRICS.billingOutcomesReEmitted, message: 'Order already charged; outcome re-emitted' },
  'left-for-reconciler': leftForReconciler('Charge', 'charged'),
};

function chargeDetails(outcome: ChargeOutcome) {
  if (outcome.kind === 'left-for-reconciler') return { requested_at: outcome.claim.requested_at };
  if (outcome.kind === 're-emitted') return { payment_status: outcome.payment.payment_status };
  const { payment } = outcome;
  return payment.payment_status === 'paid'
    ? { transaction_id: payment.transaction_id }
    : { reason: payment.decline_reason };
}

/** How each refund outcome is counted and logged; refundDetails adds what this one was. */
const REFUND_REPORTS: Record<RefundOutcome['kind'], OutcomeReport> = {
  refunded: { metric: METRICS.paymentsRefunded, message: 'Payment refunded' },
  're-emitted': { metric: METRICS.billingOutcomesReEmitted, message: 'Order already refunded; outcome re-emitted' },
  // Counted once per delivery that meets it; the alarm pages on any.
  'refund-failed': {
    metric: METRICS.refundsFailed,
    level: 'error',
    message: 'Refund refused by the provider for good; an operator must settle it',
  },
  'left-for-reconciler': leftForReconciler('Refund', 'refunded'),
  'nothing-to-refund': {
    metric: METRICS.refundsSkipped,
    level: 'warn',
    message: 'Cancelled order has no paid payment; nothing to refund',
  },
};

function refundDetails(outcome: RefundOutcome) {
  switch (outcome.kind) {
    case 'refunded':
      return { transaction_id: outcome.payment.refund_transaction_id };
    case 're-emitted':
      return {};
    case 'refund-failed':
      return { reason: outcome.payment.refund_failure };
    case 'left-for-reconciler':
      return { requested_at: outcome.payment.refund_requested_at };
    case 'nothing-to-refund':
      return { payment_status: outcome.payment?.payment_status ?? 'none' };
  }
}
