/** What the order API talks to: the product catalog, and the orders table and its outbox in one transaction. */
import type { Order } from '../shared/orders/order';
import type { OutboxEntry } from '../shared/orders/outbox';

export type CreateOrderResult =
  /** The order and its outbox entry were committed. */
  | { readonly kind: 'created' }
  /** An order with this id exists: nothing was written, and the stored order comes back. */
  | { readonly kind: 'exists'; readonly existing: Order };

export interface OrderRepository {
  /**
   * Commits the order and its outbox entry atomically, unless an order with this id exists: then
   * nothing is written and the stored order is returned.
   */
  create(order: Order, outbox: OutboxEntry): Promise<CreateOrderResult>;
  get(orderId: string): Promise<Order | undefined>;
}

/** The order store is throttling or briefly unavailable: the same request can succeed a moment later. */
export class OrderStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`order store unavailable: ${(cause as Error | undefined)?.name ?? 'unknown error'}`, { cause });
    this.name = 'OrderStoreUnavailableError';
  }
}

/** A product as the catalog sells it: only an active product with a price in the order's currency is sold. */
export interface CatalogProduct {
  readonly product_id: string;
  readonly active: boolean;
  /** Unit price per ISO 4217 currency code, in the currency's own decimals (JPY 7400, KWD 15.125). */
  readonly prices: Readonly<Record<string, number>>;
}

export interface ProductCatalog {
  /** The products of these ids that the catalog knows (one read); an unknown id is simply absent. */
  find(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>>;
}

/**
 * The order store refused a value of the request as invalid (DynamoDB ValidationException, e.g. a
 * string it cannot store): the same request fails the same way, so it is a 4xx, never "retry" (500).
 */
export class OrderStoreRejectedError extends Error {
  constructor(cause: unknown) {
    super(`order store refused the request: ${(cause as Error | undefined)?.message ?? 'invalid value'}`, { cause });
    this.name = 'OrderStoreRejectedError';
  }
}
