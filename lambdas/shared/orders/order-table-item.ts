import type { HistoryEntry, Order } from './order';
import { factAttribute, ORDER_FACTS, type OrderFact } from './order-status';

/**
 * The orders table holds one item per order: the order as placed, a `<fact>_at` attribute per known
 * fact (the status is derived from them, never stored) and the history list.
 */
type OrderTableItem = Omit<Order, 'facts'> & Partial<Record<`${OrderFact}_at`, string>>;

export function toItem(order: Order): OrderTableItem {
  const { facts, ...rest } = order;
  return {
    ...rest,
    ...Object.fromEntries(Object.entries(facts).map(([fact, at]) => [factAttribute(fact as OrderFact), at])),
  };
}

export function fromItem(item: Record<string, unknown>): Order {
  const facts: Partial<Record<OrderFact, string>> = {};
  for (const fact of ORDER_FACTS) {
    const at = item[factAttribute(fact)];
    if (typeof at === 'string') facts[fact] = at;
  }
  return {
    order_id: item.order_id as string,
    user_id: item.user_id as string,
    items: item.items as Order['items'],
    amount: item.amount as number,
    currency: item.currency as string,
    payment_method: item.payment_method as string,
    ...(typeof item.request_fingerprint === 'string' ? { request_fingerprint: item.request_fingerprint } : {}),
    created_at: item.created_at as string,
    history: (item.history ?? []) as HistoryEntry[],
    facts,
  };
}
