import fc from 'fast-check';
import { reserveStock, type ReserveDependencies } from '../../../lambdas/inventory/reserve-stock';
import { stockLines } from '../../../lambdas/inventory/reservation';
import type { OrderLine, StockChanged } from '../../../lambdas/shared/contracts/events';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryStockStore } from '../../support/doubles/stock';

/**
 * I2: stock never goes below zero, and every reserved unit belongs to exactly one order.
 *
 * Two to four paid orders race for the last units of a few products; each order's paid outcome is
 * delivered one to three times (batch redelivery, producer duplicates), all concurrently in any
 * interleaving, and any attempt may crash before a write or after it (before the publish), after
 * which the record is delivered again until an attempt succeeds.
 */
type Fault = 'none' | 'reserve' | 'reject' | 'publish';
const PRODUCTS = ['abc', 'def', 'ghi'] as const;

const orderArb = fc.record({
  items: fc.array(
    fc.record({
      product_id: fc.constantFrom(...PRODUCTS),
      quantity: fc.integer({ min: 1, max: 3 }),
      unit_price: fc.constant(10),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  deliveries: fc.array(fc.constantFrom<Fault>('none', 'none', 'reserve', 'reject', 'publish'), {
    minLength: 1,
    maxLength: 3,
  }),
});

describe('I2: no oversell, every reserved unit belongs to one order', () => {
  it('GIVEN orders racing for the last units with duplicates and crashes WHEN all are processed THEN stock never goes negative and reserved units match the reserved orders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.tuple(...PRODUCTS.map(() => fc.integer({ min: 0, max: 4 }))),
        fc.array(orderArb, { minLength: 2, maxLength: 4 }),
        async (s, levels, orders) => {
          const initial = Object.fromEntries(PRODUCTS.map((p, i) => [p, levels[i]!]));
          const store = new InMemoryStockStore(initial);
          const publisher = new RecordingPublisher();
          const step = () => s.schedule(Promise.resolve());
          const fail = (condition: boolean) => {
            if (condition) throw new Error('crash');
          };

          const attemptDeps = (fault: Fault): ReserveDependencies => ({
            now: () => new Date('2025-04-07T12:35:00Z'),
            stock: {
              reserve: async (...a) => (await step(), fail(fault === 'reserve'), store.reserve(...a)),
              recordRejection: async (r) => (await step(), fail(fault === 'reject'), store.recordRejection(r)),
            },
            publisher: { publish: async (e) => (await step(), fail(fault === 'publish'), publisher.publish(e)) },
          });
          const deliver = async (orderId: string, items: OrderLine[], fault: Fault) => {
            try {
              await reserveStock({ order_id: orderId, items }, attemptDeps(fault));
            } catch {
              await reserveStock({ order_id: orderId, items }, attemptDeps('none'));
            }
          };

          await s.waitFor(
            Promise.all(orders.flatMap((o, i) => o.deliveries.map((fault) => deliver(`order-${i}`, o.items, fault)))),
          );

          // Never below zero, at any moment.
          expect(store.lowestLevel).toBeGreaterThanOrEqual(0);
          // One decision per order, and the units taken are exactly the reserved orders' lines.
          expect(store.reservations.size).toBe(orders.length);
          const reservedUnits = new Map<string, number>(PRODUCTS.map((p) => [p, 0]));
          orders.forEach((o, i) => {
            if (store.reservations.get(`order-${i}`)!.status !== 'reserved') return;
            for (const line of stockLines(o.items))
              reservedUnits.set(line.product_id, reservedUnits.get(line.product_id)! + line.quantity);
          });
          for (const p of PRODUCTS) expect(initial[p]! - store.available.get(p)!).toBe(reservedUnits.get(p));

          // No false "out of stock": stock only goes down here, so a rejected order is still short now.
          orders.forEach((o, i) => {
            if (store.reservations.get(`order-${i}`)!.status !== 'rejected') return;
            expect(stockLines(o.items).some((l) => store.available.get(l.product_id)! < l.quantity)).toBe(true);
          });

          // Published stock changes, deduplicated on event_id as a consumer does, add up to the same units.
          const copiesById = new Map<string, StockChanged[]>();
          for (const { event } of publisher.on('inventory')) {
            copiesById.set(event.event_id, [...(copiesById.get(event.event_id) ?? []), event as StockChanged]);
          }
          for (const copies of copiesById.values()) for (const copy of copies) expect(copy).toEqual(copies[0]);
          const changes = new Map([...copiesById].map(([id, copies]) => [id, copies[0]!]));
          for (const p of PRODUCTS) {
            const published = [...changes.values()]
              .filter((c) => c.product_id === p)
              .reduce((sum, c) => sum - c.quantity_change, 0);
            expect(published).toBe(reservedUnits.get(p));
          }
          // Each order gets exactly one kind of outcome, the one its decision says.
          orders.forEach((_o, i) => {
            const kinds = new Set(
              publisher
                .on('inventory_outcome')
                .filter((p) => p.key === `order-${i}`)
                .map((p) => p.event.event_type),
            );
            const status = store.reservations.get(`order-${i}`)!.status;
            expect([...kinds]).toEqual([status === 'reserved' ? 'StockReserved' : 'OrderCancelled']);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
