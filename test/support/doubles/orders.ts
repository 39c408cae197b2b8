import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import {
  parseOrderRequest,
  prepareOrder,
  requestFingerprint,
  type PrepareOrderInput,
} from '../../../lambdas/order-api/place-order';
import type {
  CatalogProduct,
  CreateOrderResult,
  OrderRepository,
  ProductCatalog,
} from '../../../lambdas/order-api/ports';
import type {
  CountStatusChangeResult,
  OrderFactStore,
  RecordFactResult,
  StatusCounter,
} from '../../../lambdas/order-status/ports';
import {
  OPERATIONS_COUNTERS,
  statusChangeCounters,
  type StatusChange,
} from '../../../lambdas/shared/analytics/operations-counters';
import type { HistoryEntry, Order } from '../../../lambdas/shared/orders/order';
import { ORDER_STATUSES, type OrderFact, type OrderStatus } from '../../../lambdas/shared/orders/order-status';
import type { OutboxEntry } from '../../../lambdas/shared/orders/outbox';
import { newId } from '../../../lambdas/shared/ids';
import { ITEMS } from '../events';
import type { Fault } from './faults';

/**
 * The order store with the semantics of its DynamoDB conditions (create if absent; record a fact
 * once, on an existing order only), so that domain and handler tests need no mocks.
 * test/adapters/dynamodb-order-*.test.ts run the same cases against this double and the adapters.
 * It keeps the orders-by-status counters too, as the adapters do: +1 PLACED with each order created,
 * and each change of status once per (order, fact).
 */
export class InMemoryOrderStore implements OrderRepository, OrderFactStore, StatusCounter {
  readonly orders = new Map<string, Order>();
  readonly outbox: OutboxEntry[] = [];
  readonly counters = new Map<string, number>();
  readonly countedChanges = new Set<string>();
  writes = 0;
  fault: Fault<'create' | 'get' | 'recordFact'> = () => undefined;

  async create(order: Order, outbox: OutboxEntry): Promise<CreateOrderResult> {
    const error = this.fault('create', order.order_id);
    if (error) throw error;
    const existing = this.orders.get(order.order_id);
    if (existing) return { kind: 'exists', existing };
    this.orders.set(order.order_id, order);
    this.outbox.push(outbox);
    this.add({ [OPERATIONS_COUNTERS.status('PLACED')]: 1 });
    this.writes += 1;
    return { kind: 'created' };
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
    if (!order) return { kind: 'unknown-order' };
    if (order.facts[fact] !== undefined) return { kind: 'duplicate', order };
    const updated: Order = {
      ...order,
      facts: { ...order.facts, [fact]: entry.at },
      history: [...order.history, entry],
    };
    this.orders.set(orderId, updated);
    this.writes += 1;
    return { kind: 'recorded', order: updated };
  }

  async countStatusChange(orderId: string, fact: OrderFact, change: StatusChange): Promise<CountStatusChangeResult> {
    const marker = `${orderId}#${fact}`;
    if (this.countedChanges.has(marker)) return { kind: 'duplicate' };
    this.countedChanges.add(marker);
    this.add(statusChangeCounters(change));
    return { kind: 'counted' };
  }

  /** The counters as the summary reads them: orders per status. */
  byStatus(): Record<OrderStatus, number> {
    return Object.fromEntries(
      ORDER_STATUSES.map((status) => [status, this.counters.get(OPERATIONS_COUNTERS.status(status)) ?? 0]),
    ) as Record<OrderStatus, number>;
  }

  private add(counters: Record<string, number>): void {
    for (const [name, by] of Object.entries(counters)) this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }
}

/** The catalog in memory: a map of the products it sells; `finds` counts the reads. */
export class InMemoryProductCatalog implements ProductCatalog {
  readonly products: Map<string, CatalogProduct>;
  finds = 0;
  fault: Fault<'find'> = () => undefined;

  constructor(products: readonly CatalogProduct[] = DEMO_CATALOG) {
    this.products = new Map(products.map((p) => [p.product_id, p]));
  }

  async find(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>> {
    const error = this.fault('find', productIds.join(','));
    if (error) throw error;
    this.finds++;
    return new Map(productIds.flatMap((id) => (this.products.has(id) ? [[id, this.products.get(id)!] as const] : [])));
  }
}

/**
 * Prepares an order from a request body, with a catalog that sells each line at the price the body
 * names: for tests of what follows placement, where the catalog is not the point.
 */
export function prepareAtSentPrices(
  input: Omit<PrepareOrderInput, 'request' | 'catalog' | 'fingerprint'> & { body: unknown },
) {
  const { body, ...rest } = input;
  const request = parseOrderRequest(body);
  const catalog = new Map(
    request.items.map((item) => [
      item.product_id,
      { product_id: item.product_id, active: true, prices: { [request.currency]: item.unit_price ?? 1 } },
    ]),
  );
  return prepareOrder({ request, catalog, fingerprint: requestFingerprint(body), ...rest });
}

/**
 * An order for one abc at 10 USD by a user of its own, prepared as the order API prepares it (ids
 * from newId), with its outbox entry: for tests of what a store does with a placed order.
 */
export function preparedOrder() {
  return prepareAtSentPrices({
    body: {
      user_id: `user-${newId()}`,
      items: [{ product_id: 'abc', quantity: 1, unit_price: 10 }],
      currency: 'USD',
      payment_method: 'credit_card',
    },
    now: new Date('2025-04-07T12:34:56.000Z'),
    newId,
  });
}

/** preparedOrder, created in the repository: the order as placed. */
export async function placedOrder(repository: {
  create(order: Order, outbox: OutboxEntry): Promise<unknown>;
}): Promise<Order> {
  const { order, outbox } = preparedOrder();
  await repository.create(order, outbox);
  return order;
}

/**
 * An in-memory store holding one order placed at `now` with the events' ITEMS (fixed order id), as
 * the order API stores it: for tests of what outcomes do to an order.
 */
export function storeWithOrder(now = '2025-04-07T12:34:56Z'): { store: InMemoryOrderStore; order: Order } {
  const store = new InMemoryOrderStore();
  const { order } = prepareAtSentPrices({
    body: { user_id: '123', items: ITEMS, currency: 'USD', payment_method: 'credit_card' },
    now: new Date(now),
    newId: () => '6f1c2b9e-0d3a-4c5b-8e7f-9a0b1c2d3e4f',
  });
  store.orders.set(order.order_id, order);
  return { store, order };
}
