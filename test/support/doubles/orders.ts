import type { CreateOrderResult, OrderRepository } from '../../../lambdas/order-api/ports';
import type { OrderFactStore, RecordFactResult } from '../../../lambdas/order-status/ports';
import type { HistoryEntry, Order } from '../../../lambdas/shared/orders/order';
import type { OrderFact } from '../../../lambdas/shared/orders/order-status';
import type { OutboxEntry } from '../../../lambdas/shared/orders/outbox';
import type { Fault } from './faults';

/**
 * The order store with the semantics of its DynamoDB conditions (create if absent; record a fact
 * once, on an existing order only), so that domain and handler tests need no mocks.
 * test/adapters/dynamodb-order-*.test.ts run the same cases against this double and the adapters.
 */
export class InMemoryOrderStore implements OrderRepository, OrderFactStore {
  readonly orders = new Map<string, Order>();
  readonly outbox: OutboxEntry[] = [];
  writes = 0;
  fault: Fault<'create' | 'get' | 'recordFact'> = () => undefined;

  async create(order: Order, outbox: OutboxEntry): Promise<CreateOrderResult> {
    const error = this.fault('create', order.order_id);
    if (error) throw error;
    const existing = this.orders.get(order.order_id);
    if (existing) return { created: false, existing };
    this.orders.set(order.order_id, order);
    this.outbox.push(outbox);
    this.writes += 1;
    return { created: true };
  }

  async get(orderId: string): Promise<Order | undefined> {
    const error = this.fault('get', orderId);
    if (error) throw error;
    return this.orders.get(orderId);
  }

  async recordFact(orderId: string, fact: OrderFact, entry: HistoryEntry): Promise<RecordFactResult> {
    const error = this.fault('recordFact', orderId);
    if (error) throw error;
    const order = this.orders.get(orderId);
    if (!order) return { outcome: 'unknown_order' };
    if (order.facts[fact] !== undefined) return { outcome: 'duplicate', order };
    const updated: Order = {
      ...order,
      facts: { ...order.facts, [fact]: entry.at },
      history: [...order.history, entry],
    };
    this.orders.set(orderId, updated);
    this.writes += 1;
    return { outcome: 'recorded', order: updated };
  }
}
