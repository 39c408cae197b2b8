import fc from 'fast-check';
import { chargeOrder } from '../../../lambdas/billing/charge-order';
import type { ChargeDependencies } from '../../../lambdas/billing/charge-order';
import { isCompleted, type Payment } from '../../../lambdas/billing/payment';
import { refundOrder } from '../../../lambdas/billing/refund-order';
import type { OrderCancelled, OrderCreated } from '../../../lambdas/shared/contracts/events';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { InMemoryPaymentStore, LedgerKeepingProvider } from '../../support/doubles/payments';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { orderCreated as orderCreatedEvent } from '../../support/events';

/**
 * I1: no order is charged twice; a refund happens at most once and only for a charged order.
 *
 * Any sequence of OrderCreated and OrderCancelled deliveries for a few orders (each may repeat: a
 * batch delivered again, a producer duplicate at a new offset), all running concurrently in any
 * interleaving the scheduler picks, with a crash at any step of any attempt (after which the record
 * is delivered again until an attempt succeeds: at-least-once). Some deliveries come days later,
 * after the provider has forgotten its idempotency keys; the provider may refuse a refund for good.
 * Then every record is replayed once more, as when a consumer group is rewound, possibly days later.
 */
type Fault = 'none' | 'provider' | 'claim' | 'complete' | 'publish';
interface Delivery {
  readonly order: number;
  readonly type: 'created' | 'cancelled';
  readonly fault: Fault;
  /** After a crash, redelivered two days later: past the provider's key lifetime. */
  readonly late: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FORGET_KEYS_AFTER_MS = DAY_MS;

const ORDER_COUNT = 3;
const orderArb = fc.record({
  payment_method: fc.constantFrom('credit_card', 'declined_card'),
  amount: fc.constantFrom(99, 10.13, 0.5, 42.13, 120.01),
  refuseRefund: fc.boolean(),
});
const deliveryArb = fc.record({
  order: fc.integer({ min: 0, max: ORDER_COUNT - 1 }),
  type: fc.constantFrom('created' as const, 'cancelled' as const),
  fault: fc.constantFrom<Fault>('none', 'none', 'provider', 'claim', 'complete', 'publish'),
  late: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
});

const orderId = (index: number) => `order-${index}`;

function orderCreated(index: number, spec: { payment_method: string; amount: number }, offset: number): OrderCreated {
  return orderCreatedEvent({
    // A producer duplicate carries a new event_id; billing must dedupe on order_id, not on it.
    event_id: `evt-${index}-${offset}`,
    order_id: orderId(index),
    items: [{ product_id: 'abc', quantity: 1, unit_price: spec.amount }],
    amount: spec.amount,
    payment_method: spec.payment_method,
  });
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
  it('GIVEN any interleaving of duplicated, crashing and late deliveries against a provider that forgets keys and refuses refunds WHEN all are processed THEN no order is charged twice, refunds are single and only for paid orders, and the ledger never claims money moved when it did not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(orderArb, { minLength: ORDER_COUNT, maxLength: ORDER_COUNT }),
        fc.array(deliveryArb, { minLength: 1, maxLength: 14 }),
        fc.boolean(),
        async (s, orders, deliveries, replayLate) => {
          let clock = Date.parse('2025-04-07T12:34:57Z');
          const now = () => new Date((clock += 1000));
          const payments = new InMemoryPaymentStore();
          const provider = new LedgerKeepingProvider({
            now: () => clock,
            forgetKeysAfterMs: FORGET_KEYS_AFTER_MS,
            refuseRefund: (r) =>
              orders.some((o, i) => o.refuseRefund && r.idempotencyKey.startsWith(`${orderId(i)}:`))
                ? 'charge_disputed'
                : undefined,
          });
          const publisher = new RecordingPublisher();
          // Every dependency call first yields to the scheduler, so concurrent deliveries interleave at each step.
          const step = () => s.schedule(Promise.resolve());

          /** One attempt's dependencies; `fault` crashes that attempt at the named step, before its effect. */
          const attemptDeps = (fault: Fault): ChargeDependencies => ({
            now,
            providerKeyTrustMs: FORGET_KEYS_AFTER_MS - 60 * 60 * 1000,
            payments: {
              claimCharge: async (c) => (await step(), fail(fault === 'claim'), payments.claimCharge(c)),
              completeCharge: async (...a) => (await step(), fail(fault === 'complete'), payments.completeCharge(...a)),
              claimRefund: async (...a) => (await step(), fail(fault === 'claim'), payments.claimRefund(...a)),
              completeRefund: async (...a) => (await step(), fail(fault === 'complete'), payments.completeRefund(...a)),
              openClaims: (before) => payments.openClaims(before),
            },
            provider: {
              charge: async (r) => (await step(), fail(fault === 'provider'), provider.charge(r)),
              refund: async (r) => (await step(), fail(fault === 'provider'), provider.refund(r)),
              lookup: (key) => provider.lookup(key),
            },
            publisher: { publish: async (e) => (await step(), fail(fault === 'publish'), publisher.publish(e)) },
          });

          const attempt = (d: Delivery, offset: number, fault: Fault): Promise<unknown> =>
            d.type === 'created'
              ? chargeOrder(orderCreated(d.order, orders[d.order]!, offset), attemptDeps(fault))
              : refundOrder(orderCancelled(d.order, offset), attemptDeps(fault));

          /** At-least-once: a failed attempt is delivered again until one succeeds, now or days later. */
          const lateRetries: (() => Promise<unknown>)[] = [];
          const deliver = async (d: Delivery, offset: number) => {
            try {
              await attempt(d, offset, d.fault);
            } catch {
              if (d.late) lateRetries.push(() => attempt(d, offset, 'none'));
              else await attempt(d, offset, 'none');
            }
          };

          await s.waitFor(Promise.all(deliveries.map((d, offset) => deliver(d, offset))));
          // Time passes between invocations, never inside one (an invocation lasts 15 minutes at most).
          if (lateRetries.length > 0) clock += 2 * DAY_MS;
          await s.waitFor(Promise.all(lateRetries.map((retry) => retry())));
          // The whole stream replayed once more, in offset order (a rewound consumer group), maybe days later.
          if (replayLate) clock += 2 * DAY_MS;
          for (const [offset, d] of deliveries.entries()) {
            const replay = attempt(d, offset, 'none');
            await s.waitFor(replay);
          }

          const anyLate = replayLate || deliveries.some((d) => d.late);
          for (let index = 0; index < ORDER_COUNT; index++) {
            const id = orderId(index);
            const movements = provider.movements(id);
            const entry = payments.items.get(id);
            const ledger: Payment | undefined = entry && isCompleted(entry) ? entry : undefined;
            const created = deliveries.some((d) => d.order === index && d.type === 'created');
            const cancelled = deliveries.some((d) => d.order === index && d.type === 'cancelled');

            // Charged at most once, whatever the provider forgot; a completed entry agrees with the provider.
            expect(movements.paid + movements.declined).toBeLessThanOrEqual(created ? 1 : 0);
            expect(ledger?.payment_status).toBe(ledger ? provider.chargeOf(id)?.status : undefined);
            // Refunded at most once and only if paid; the ledger says refunded only when the provider refunded.
            expect(movements.refunded).toBeLessThanOrEqual(ledger?.payment_status === 'paid' ? 1 : 0);
            const refundsPerLedger = { refunded: [1], refund_failed: [0], refund_requested: [0, 1], none: [0] };
            expect(refundsPerLedger[ledger?.refund_status ?? 'none']).toContain(movements.refunded);
            expect(ledger?.refunded_at !== undefined).toBe(ledger?.refund_status === 'refunded');

            // Without late deliveries nothing is left to the reconciler: every order is settled.
            const refundable = cancelled && ledger?.payment_status === 'paid';
            const refused = orders[index]!.refuseRefund;
            const settled = {
              charges: created ? 1 : 0,
              open: false,
              refunds: refundable && !refused ? 1 : 0,
              refund_status: refundable ? (refused ? 'refund_failed' : 'refunded') : undefined,
            };
            const actual = {
              charges: movements.paid + movements.declined,
              open: entry !== undefined && ledger === undefined,
              refunds: movements.refunded,
              refund_status: ledger?.refund_status,
            };
            expect(anyLate ? settled : actual).toEqual(settled);

            // Every publication of an outcome is identical, and none claims what the ledger does not hold.
            const outcomes = publisher.published.filter((p) => p.key === id);
            const byId = groupBy(outcomes, (p) => p.event.event_id);
            for (const copies of byId.values()) for (const copy of copies) expect(copy).toEqual(copies[0]);
            const statuses = [...byId.values()].map(
              (copies) => (copies[0]!.event as { payment_status: string }).payment_status,
            );
            expect(statuses.sort()).toEqual(
              [ledger?.payment_status, ledger?.refund_status === 'refunded' ? 'refunded' : undefined]
                .filter(Boolean)
                .sort(),
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
