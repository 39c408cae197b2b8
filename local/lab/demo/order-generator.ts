import { readFileSync } from 'node:fs';
import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import { DEMO_STOCK } from '../../../lambdas/restock/seed';

/**
 * Demo orders for `npm run local`: a reproducible mix (same seed, same orders) that exercises
 * every path of the flow, and the stock that makes the mix come out as planned.
 *
 * - `paid`: normal products, a payment that goes through; ends SHIPPED.
 * - `declined`: payment_method `declined_card`, or an amount whose cents are .13 (the simulated
 *   payment provider declines both); ends PAYMENT_DECLINED.
 * - `out_of_stock`: a line of a scarce product (a few units of `limited-edition`, none of
 *   `discontinued`); the first orders to reserve the last units ship, the rest are cancelled and
 *   refunded (the saga). Ends REFUNDED, or SHIPPED for the few that won a unit.
 */
export type PlannedOutcome = 'paid' | 'declined' | 'out_of_stock';

/** The body of POST /orders. */
export interface OrderRequest {
  readonly user_id: string;
  readonly items: readonly { readonly product_id: string; readonly quantity: number; readonly unit_price: number }[];
  readonly currency: string;
  readonly payment_method: string;
}

export interface DemoOrder {
  /** Sent as the Idempotency-Key: a retried POST never places the order twice. */
  readonly idempotencyKey: string;
  readonly request: OrderRequest;
  /** What the generator meant the order to exercise; undefined for orders read from a file. */
  readonly planned?: PlannedOutcome;
}

export interface StockSeed {
  readonly product_id: string;
  readonly quantity: number;
}

export interface DemoPlan {
  readonly orders: readonly DemoOrder[];
  /** Units to add per product before the first order (restock requests; products with 0 units are left out). */
  readonly stock: readonly StockSeed[];
}

/**
 * Products of the demo catalog (DEMO_CATALOG), at its USD prices: the order API prices every line
 * from the catalog, so the orders send the prices the customer was shown and the API checks them.
 */
const product = (product_id: string) => ({
  product_id,
  unit_price: DEMO_CATALOG.find((p) => p.product_id === product_id)!.prices.USD!,
});
const REGULAR_PRODUCTS = ['abc', 'def', 'ghi', 'jkl', 'mno'].map(product);
const LIMITED = product('limited-edition');
const DISCONTINUED = product('discontinued');
/** Costs x.13, which the simulated provider declines. */
const UNLUCKY = product('unlucky-13');
/** Every product the demo orders buy, for the click generator's catalogue. */
export const CATALOGUE_PRODUCT_IDS = [...REGULAR_PRODUCTS, LIMITED, DISCONTINUED].map((p) => p.product_id);
/** Units of the limited edition: a handful of orders race for them, the rest are refunded. */
export const LIMITED_EDITION_UNITS = 3;

/** Shares of the mix, out of 100. */
const MIX = { paid: 70, declinedCard: 10, declinedAmount: 5, outOfStock: 15 } as const;

export function generateDemoPlan(count: number, seed: string): DemoPlan {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const regularLines = () => {
    const products = shuffle([...REGULAR_PRODUCTS], random).slice(0, int(1, 3));
    return products.map((p) => ({ product_id: p.product_id, quantity: int(1, 3), unit_price: p.unit_price }));
  };

  const orders: DemoOrder[] = [];
  for (let n = 0; n < count; n++) {
    const user_id = `user-${int(1, 50)}`;
    const roll = random() * 100;
    const base = { user_id, currency: 'USD' };
    let order: Omit<DemoOrder, 'idempotencyKey'>;
    if (roll < MIX.paid) {
      order = {
        planned: 'paid',
        request: {
          ...base,
          items: avoidDeclinedCents(regularLines()),
          payment_method: pick(['credit_card', 'paypal']),
        },
      };
    } else if (roll < MIX.paid + MIX.declinedCard) {
      order = { planned: 'declined', request: { ...base, items: regularLines(), payment_method: 'declined_card' } };
    } else if (roll < MIX.paid + MIX.declinedCard + MIX.declinedAmount) {
      // One unit at x.13: the provider declines on the cents of the amount.
      const items = [{ ...UNLUCKY, quantity: 1 }];
      order = { planned: 'declined', request: { ...base, items, payment_method: 'credit_card' } };
    } else {
      const scarce = random() < 0.5 ? LIMITED : DISCONTINUED;
      const items = avoidDeclinedCents([
        { product_id: scarce.product_id, quantity: 1, unit_price: scarce.unit_price },
        ...(random() < 0.5 ? regularLines().slice(0, 1) : []),
      ]);
      order = { planned: 'out_of_stock', request: { ...base, items, payment_method: 'credit_card' } };
    }
    orders.push({ idempotencyKey: `demo-${seed}-${n}`, ...order });
  }
  return { orders, stock: stockFor(orders) };
}

/**
 * Enough of every regular product for every order that may reserve it (all orders except the
 * declined ones), so that only the scarce products ever run out, whatever the arrival order.
 */
function stockFor(orders: readonly DemoOrder[]): StockSeed[] {
  const demand = new Map<string, number>(REGULAR_PRODUCTS.map((p) => [p.product_id, 0]));
  for (const order of orders) {
    if (order.planned === 'declined') continue;
    for (const item of order.request.items) {
      if (demand.has(item.product_id)) demand.set(item.product_id, demand.get(item.product_id)! + item.quantity);
    }
  }
  return [
    ...[...demand].filter(([, units]) => units > 0).map(([product_id, quantity]) => ({ product_id, quantity })),
    { product_id: LIMITED.product_id, quantity: LIMITED_EDITION_UNITS },
  ];
}

/** Raises a quantity until the total's cents are not .13 (which the simulated provider declines). */
function avoidDeclinedCents<T extends { quantity: number; unit_price: number }>(items: T[]): T[] {
  const cents = () => items.reduce((sum, i) => sum + Math.round(i.unit_price * 100) * i.quantity, 0) % 100;
  while (cents() === 13) items[items.length - 1]!.quantity += 1;
  return items;
}

/**
 * Orders from an NDJSON file, one POST /orders body per line (blank lines and lines starting with
 * `#` are skipped). The stock is the inventory service's demo stock.
 */
export function readOrdersFile(path: string): DemoPlan {
  const orders = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .flatMap((line, index) => {
      if (line === '' || line.startsWith('#')) return [];
      try {
        return [{ idempotencyKey: `file-${index + 1}-${line.length}`, request: JSON.parse(line) as OrderRequest }];
      } catch (error) {
        throw new Error(`${path}:${index + 1}: not JSON (${(error as Error).message})`);
      }
    });
  return {
    orders,
    stock: DEMO_STOCK.filter((s) => s.available > 0).map((s) => ({ product_id: s.product_id, quantity: s.available })),
  };
}

export function shuffle<T>(values: T[], random: () => number): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

/** mulberry32 seeded from a string hash: small, fast and good enough for a demo mix. */
export function seededRandom(seed: string): () => number {
  let state = 2166136261;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 16777619);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
