import fc from 'fast-check';
import { chargeOrder } from '../../../lambdas/billing/charge-order';
import type { ChargeDependencies } from '../../../lambdas/billing/charge-order';
import { refundOrder } from '../../../lambdas/billing/refund-order';
import type { OrderCancelled, OrderCreated } from '../../../lambdas/shared/contracts/events';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { InMemoryPaymentStore, LedgerKeepingProvider } from '../../support/doubles/payments';
import { RecordingPublisher } from '../../support/doubles/publisher';

/**
 * I1: no order is charged twice; a refund happens at most once and only for a charged order.
 *
 * Any sequence of OrderCreated and OrderCancelled deliveries for a few orders (each may repeat: a
 * batch delivered again, a producer duplicate at a new offset), all running concurrently in any
 * interleaving the scheduler picks, with a crash at any step of any attempt (after which the record
 * is delivered again until an attempt succeeds: at-least-once). Then every record is replayed once
 * more, as when a consumer group is rewound.
 */
type Fault = 'none' | 'provider' | 'store' | 'publish';
interface Delivery {
  readonly order: number;
  readonly type: 'created' | 'cancelled';
  readonly fault: Fault;
}

const ORDER_COUNT = 3;
const orderArb = fc.record({
  payment_method: fc.constantFrom('credit_card', 'declined_card'),
  amount: fc.constantFrom(99, 10.13, 0.5, 42.13, 120.01),
});
const deliveryArb = fc.record({
  order: fc.integer({ min: 0, max: ORDER_COUNT - 1 }),
  type: fc.constantFrom('created' as const, 'cancelled' as const),
  fault: fc.constantFrom<Fault>('none', 'none', 'provider', 'store', 'publish'),
});

const orderId = (index: number) => `order-${index}`;

function orderCreated(index: number, spec: { payment_method: string; amount: number }, offset: number): OrderCreated {
  return {
    event_type: 'OrderCreated',
    // A producer duplicate carries a new event_id; billing must dedupe on order_id, not on it.
    event_id: `evt-${index}-${offset}`,
    order_id: orderId(index),
    user_id: 'user-1',
    items: [{ product_id: 'abc', quantity: 1, unit_price: spec.amount }],
    amount: spec.amount,
    currency: 'USD',
    payment_method: spec.payment_method,
    timestamp: '2025-04-07T12:34:56Z',
  };
}

function orderCancelled(index: number, offset: number): OrderCancelled {
  return {
    event_type: 'OrderCancelled',
    event_id: `evt-cancel-${index}-${offset}`,
    order_id: orderId(index),
    reason: 'out_of_stock',
    timestamp: '2025-04-07T12:35:00Z',
  };
}

describe('I1: charge once, refund at most once and only if charged', () => {
  it('GIVEN any interleaving of duplicated, crashing deliveries WHEN all are processed THEN no order is charged twice and refunds are single and only for paid orders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(orderArb, { minLength: ORDER_COUNT, maxLength: ORDER_COUNT }),
        fc.array(deliveryArb, { minLength: 1, maxLength: 14 }),
        async (s, orders, deliveries) => {
          const payments = new InMemoryPaymentStore();
          const provider = new LedgerKeepingProvider();
          const publisher = new RecordingPublisher();
          let clock = Date.parse('2025-04-07T12:34:57Z');
          const now = () => new Date((clock += 1000));
          // Every dependency call first yields to the scheduler, so concurrent deliveries interleave at each step.
          const step = () => s.schedule(Promise.resolve());

          /** One attempt's dependencies; `fault` crashes that attempt at the named step, before its effect. */
          const attemptDeps = (fault: Fault): ChargeDependencies => ({
            now,
            payments: {
              recordCharge: async (p) => (await step(), fail(fault === 'store'), payments.recordCharge(p)),
              claimRefund: async (...a) => (await step(), fail(fault === 'store'), payments.claimRefund(...a)),
            },
            provider: {
              charge: async (r) => (await step(), fail(fault === 'provider'), provider.charge(r)),
              refund: async (r) => (await step(), fail(fault === 'provider'), provider.refund(r)),
            },
            publisher: { publish: async (e) => (await step(), fail(fault === 'publish'), publisher.publish(e)) },
          });

          const attempt = (d: Delivery, offset: number, fault: Fault): Promise<unknown> =>
            d.type === 'created'
              ? chargeOrder(orderCreated(d.order, orders[d.order]!, offset), attemptDeps(fault))
              : refundOrder(orderCancelled(d.order, offset), attemptDeps(fault));

          /** At-least-once: a failed attempt is delivered again until one succeeds. */
          const deliver = async (d: Delivery, offset: number) => {
            try {
              await attempt(d, offset, d.fault);
            } catch {
              await attempt(d, offset, 'none');
            }
          };

          await s.waitFor(Promise.all(deliveries.map((d, offset) => deliver(d, offset))));
          // The whole stream replayed once more, in offset order (a rewound consumer group).
          for (const [offset, d] of deliveries.entries()) {
            const replay = attempt(d, offset, 'none');
            await s.waitFor(replay);
          }

          for (let index = 0; index < ORDER_COUNT; index++) {
            const id = orderId(index);
            const movements = provider.movements(id);
            const ledger = payments.items.get(id);
            const created = deliveries.some((d) => d.order === index && d.type === 'created');
            const cancelled = deliveries.some((d) => d.order === index && d.type === 'cancelled');

            // Charged at most once (one charge per idempotency key), and the ledger agrees with the provider.
            expect(movements.paid + movements.declined).toBe(created ? 1 : 0);
            expect(ledger?.payment_status).toBe(created ? provider.charges.get(id)!.result.status : undefined);
            // Refunded at most once, only if paid, and (after the replay) always when a paid order was cancelled.
            expect(movements.refunded).toBe(cancelled && ledger?.payment_status === 'paid' ? 1 : 0);
            expect(ledger?.refunded_at !== undefined).toBe(movements.refunded === 1);

            // Every publication of an outcome is identical: same event_id, same content.
            const outcomes = publisher.published.filter((p) => p.key === id);
            const byId = groupBy(outcomes, (p) => p.event.event_id);
            for (const copies of byId.values()) for (const copy of copies) expect(copy).toEqual(copies[0]);
            const statuses = [...byId.values()].map(
              (copies) => (copies[0]!.event as { payment_status: string }).payment_status,
            );
            expect(statuses.sort()).toEqual(
              [ledger?.payment_status, ledger?.refunded_at ? 'refunded' : undefined].filter(Boolean).sort(),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

function fail(condition: boolean): void {
  if (condition) throw new Error('crash');
}

function groupBy(events: readonly OutgoingEvent[], key: (e: OutgoingEvent) => string): Map<string, OutgoingEvent[]> {
  const groups = new Map<string, OutgoingEvent[]>();
  for (const e of events) groups.set(key(e), [...(groups.get(key(e)) ?? []), e]);
  return groups;
}
