import { placeholderTerms } from '../dynamodb-expressions';
import { ANALYTICS_COUNTER_SHARDS } from '../contracts/tables';
import type { HistoryEntry } from '../orders/order';
import { ANALYTICS_KEYS, counterShard } from './analytics-keys';
import { deriveOrderStatus, ORDER_FACTS, type OrderFact, type OrderStatus } from '../orders/order-status';

/**
 * The dashboard's counters of the order service (ANALYTICS_KEYS.operations, sharded): how many
 * orders are in each status, and how many emails went out. Each is moved by the write that makes
 * it true, in the same transaction, so a redelivery cannot move it twice (docs/design.md, "Reading").
 */
export const OPERATIONS_COUNTERS = {
  /** Orders in a status: +1 when an order enters it, -1 when it leaves. */
  status: (status: OrderStatus) => `orders_${status}` as const,
  emailsSent: 'emails_sent',
} as const;

export interface StatusChange {
  readonly from: OrderStatus;
  readonly to: OrderStatus;
}

/**
 * The change of status that recording `fact` made, read from the order's history: the history
 * holds the facts in the order they were recorded (each one appended in the same update that
 * recorded it), so the facts before `fact`'s entry are the ones the order had when it was
 * recorded, whatever arrived since. Undefined when the history has no entry for the fact.
 */
export function statusChangeOf(history: readonly HistoryEntry[], fact: OrderFact): StatusChange | undefined {
  const index = history.findIndex((entry) => entry.fact === fact);
  if (index < 0) return undefined;
  const before = history
    .slice(0, index)
    .flatMap((entry) => ((ORDER_FACTS as readonly string[]).includes(entry.fact) ? [entry.fact as OrderFact] : []));
  return { from: deriveOrderStatus(before), to: deriveOrderStatus([...before, fact]) };
}

/**
 * The `Update` of one TransactWriteItems that adds `counters` to the operations shard of `id`
 * (a hash of it, so concurrent writers spread over ANALYTICS_COUNTER_SHARDS items). Plain data:
 * the adapters of the order API, the status projector and notifications put it in their own transaction.
 */
export function operationsCounterUpdate(
  tableName: string,
  id: string,
  counters: Readonly<Record<string, number>>,
  shards: number = ANALYTICS_COUNTER_SHARDS,
) {
  const adds = placeholderTerms('c', counters, 'ADD');
  return {
    Update: {
      TableName: tableName,
      Key: { pk: ANALYTICS_KEYS.operations(counterShard(id, shards)) },
      UpdateExpression: `ADD ${adds.terms.join(', ')}`,
      ExpressionAttributeNames: adds.names,
      ExpressionAttributeValues: adds.values,
    },
  };
}

/** The counter moves of one change of status: out of `from`, into `to`. */
export function statusChangeCounters({ from, to }: StatusChange): Record<string, number> {
  return { [OPERATIONS_COUNTERS.status(from)]: -1, [OPERATIONS_COUNTERS.status(to)]: 1 };
}
