import type { Reservation, StockLine } from '../../../lambdas/inventory/reservation';
import type { RejectionResult, ReserveAttempt, StockStore } from '../../../lambdas/inventory/ports';
import type { AppliedRestock, RestockResult, StockLevels } from '../../../lambdas/restock/ports';
import { putIfAbsent, type Fault } from './faults';

/**
 * Stock and reservations in memory, with the semantics of the DynamoDB adapter: `reserve` is one
 * atomic transaction whose conditions (reservation absent, available >= quantity for every line) are
 * all checked before anything is written; like DynamoDB it refuses a transaction that touches the
 * same product twice. A failed reservation condition returns the existing decision (ALL_OLD), and a
 * repeated restock_id the restock applied first. test/adapters/dynamodb-stock-*.test.ts run the same
 * cases against this double and the adapters.
 */
export class InMemoryStockStore implements StockStore, StockLevels {
  readonly available = new Map<string, number>();
  readonly reservations = new Map<string, Reservation>();
  readonly restocks = new Map<string, AppliedRestock>();
  /** The lowest stock level ever held by any product: I2 says it never goes below zero. */
  lowestLevel = Infinity;
  fault: Fault<'reserve' | 'recordRejection' | 'restock'> = () => undefined;

  constructor(initial: Record<string, number> = {}) {
    for (const [product, units] of Object.entries(initial)) this.set(product, units);
  }

  async reserve(reservation: Reservation, lines: readonly StockLine[]): Promise<ReserveAttempt> {
    const products = lines.map((l) => l.product_id);
    if (new Set(products).size !== products.length) {
      throw Object.assign(new Error('Transaction request cannot include multiple operations on one item'), {
        name: 'ValidationException',
      });
    }
    const error = this.fault('reserve', reservation.order_id);
    if (error) throw error;
    const existing = this.reservations.get(reservation.order_id);
    if (existing) return { kind: 'already-decided', reservation: structuredClone(existing) };
    const short = lines.filter((l) => (this.available.get(l.product_id) ?? -Infinity) < l.quantity);
    if (short.length > 0) return { kind: 'out-of-stock', products: short.map((l) => l.product_id) };
    for (const line of lines) this.set(line.product_id, this.available.get(line.product_id)! - line.quantity);
    this.reservations.set(reservation.order_id, structuredClone(reservation));
    return { kind: 'reserved', reservation };
  }

  async recordRejection(rejection: Reservation): Promise<RejectionResult> {
    const error = this.fault('recordRejection', rejection.order_id);
    if (error) throw error;
    const put = putIfAbsent(this.reservations, rejection.order_id, rejection);
    return put.kind === 'written'
      ? { kind: 'recorded', reservation: rejection }
      : { kind: 'already-decided', reservation: put.existing };
  }

  async restock(restock: AppliedRestock): Promise<RestockResult> {
    const error = this.fault('restock', restock.restock_id);
    if (error) throw error;
    const put = putIfAbsent(this.restocks, restock.restock_id, restock);
    if (put.kind === 'exists') return { kind: 'already-applied', restock: put.existing };
    this.set(restock.product_id, (this.available.get(restock.product_id) ?? 0) + restock.quantity);
    return { kind: 'applied', restock };
  }

  async setAvailable(productId: string, available: number): Promise<void> {
    this.set(productId, available);
  }

  private set(productId: string, units: number): void {
    this.available.set(productId, units);
    this.lowestLevel = Math.min(this.lowestLevel, units);
  }
}
