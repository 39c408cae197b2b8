/** What restock talks to: the stock levels, and the event publisher. */
export type { EventPublisher } from '../shared/kafka/publisher';

/** A restock as applied: the first request that carried its restock_id, and when it was applied. */
export interface AppliedRestock {
  readonly restock_id: string;
  readonly product_id: string;
  readonly quantity: number;
  readonly applied_at: string;
}

/** The restock that holds: this one (`applied`), or the earlier one under its restock_id (`already-applied`). */
export type RestockResult = { readonly kind: 'applied' | 'already-applied'; readonly restock: AppliedRestock };

/** Setting and adding stock: the restock path and the demo seed. */
export interface StockLevels {
  /**
   * Adds the units unless a restock with this restock_id was applied before. Returns the restock
   * that holds: this one or the earlier one.
   */
  restock(restock: AppliedRestock): Promise<RestockResult>;

  /** Sets the units available (seed data): overwrites, so not for live traffic. */
  setAvailable(productId: string, available: number): Promise<void>;
}
