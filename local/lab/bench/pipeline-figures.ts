/**
 * The arithmetic of the bench's `pipeline` section, apart from the run that feeds it: the local
 * limit (DynamoDB Local's conditional-write rate over the item writes one order needs, counted from
 * DYNAMODB_COSTS for the orders of the run as they ended) and latency percentiles.
 */
import { loadavg } from 'node:os';
import { itemWritesPerOrder, type OrderPath } from '../../../lambdas/shared/contracts/dynamodb-costs';
import type { OrderStatus } from '../../../lambdas/shared/orders/order-status';

/** An order of the run as it ended. */
export interface FinishedOrder {
  readonly lines: number;
  readonly status: OrderStatus;
}

const PATH_OF: Partial<Record<OrderStatus, OrderPath>> = {
  SHIPPED: 'shipped',
  PAYMENT_DECLINED: 'declined',
  REFUNDED: 'refunded',
};

/** Mean item writes per order over the run's orders; `relayBatch` is the relay's mean records per invocation. */
export function meanItemWritesPerOrder(orders: readonly FinishedOrder[], relayBatch: number): number {
  if (orders.length === 0) throw new Error('no finished orders to count writes for');
  let total = 0;
  for (const order of orders) {
    const path = PATH_OF[order.status];
    if (!path) throw new Error(`order ended ${order.status}, not in a terminal state`);
    total += itemWritesPerOrder(path, order.lines, relayBatch);
  }
  return total / orders.length;
}

export interface LocalLimit {
  /** Conditional PutItem/s DynamoDB Local took with `inFlight` requests in flight. */
  readonly conditionalWritesPerSecond: number;
  readonly inFlight: number;
  readonly itemWritesPerOrder: number;
  readonly ordersPerSecond: number;
}

export function localLimit(conditionalWritesPerSecond: number, inFlight: number, writesPerOrder: number): LocalLimit {
  return {
    conditionalWritesPerSecond: round(conditionalWritesPerSecond, 0),
    inFlight,
    itemWritesPerOrder: round(writesPerOrder, 2),
    ordersPerSecond: round(conditionalWritesPerSecond / writesPerOrder, 2),
  };
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** 1-minute load averages of the machine before and after a run: how much else it was doing. */
export interface MachineLoad {
  readonly before: number;
  readonly after: number;
}

/** Notes the machine's load as a run starts; `end()` gives it before and after, for the run's result. */
export function watchMachineLoad(): { end(): MachineLoad } {
  const before = loadavg()[0]!;
  return { end: () => ({ before: round(before, 2), after: round(loadavg()[0]!, 2) }) };
}
