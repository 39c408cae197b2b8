import fc from 'fast-check';
import { changeOf, notificationId } from '../../../lambdas/notifications/notification';
import { CLAIM_LEASE_MS } from '../../../lambdas/notifications/ports';
import { notifyCustomer, type NotifyDependencies } from '../../../lambdas/notifications/send-notification';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { customers, InMemoryNotificationLog, order, RecordingEmailSender, StaticOrders } from '../../support/doubles/notifications';

/**
 * I8: exactly one email per order and change, whatever the redeliveries.
 *
 * The outcome events of a few orders (paid or declined, cancelled, refunded, dispatched, and events
 * that announce nothing) are delivered any number of times, in any order, with provider failures
 * at any send (the record is delivered again until an attempt succeeds). Each change gets one
 * email, to the order's customer; a change that was never announced gets none.
 */
const ORDERS = ['o-0', 'o-1', 'o-2'];
const T = '2026-11-28T12:00:00Z';
const money = { transaction_id: 't', amount: 99, currency: 'USD' };
const eventsOf = (orderId: string): AnyEvent[] => [
  { event_type: 'BillingOutcome', event_id: `p-${orderId}`, order_id: orderId, payment_status: 'paid', ...money, timestamp: T },
  { event_type: 'BillingOutcome', event_id: `d-${orderId}`, order_id: orderId, payment_status: 'declined', ...money, timestamp: T },
  { event_type: 'BillingOutcome', event_id: `r-${orderId}`, order_id: orderId, payment_status: 'refunded', ...money, timestamp: T },
  { event_type: 'OrderCancelled', event_id: `c-${orderId}`, order_id: orderId, reason: 'out_of_stock', timestamp: T },
  { event_type: 'ShipmentDispatched', event_id: `s-${orderId}`, order_id: orderId, shipment_id: 'sh', timestamp: T },
  { event_type: 'StockReserved', event_id: `x-${orderId}`, order_id: orderId, items: [...order(orderId).items], timestamp: T },
];
const ALL_EVENTS = ORDERS.flatMap(eventsOf);

describe('I8: one email per order and change', () => {
  it('GIVEN outcome events delivered any number of times with failing sends WHEN all are processed THEN each announced change is emailed exactly once to its customer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ event: fc.nat(ALL_EVENTS.length - 1), failures: fc.integer({ min: 0, max: 2 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (deliveries) => {
          const email = new RecordingEmailSender();
          let clock = Date.parse(T);
          const deps: NotifyDependencies = {
            log: new InMemoryNotificationLog(),
            orders: new StaticOrders(ORDERS.map((id, i) => order(id, `user-${i}`))),
            customers,
            email,
            now: () => new Date((clock += 1000)),
          };
          for (const { event, failures } of deliveries) {
            email.failNext = failures;
            // At least once: a failed attempt is delivered again, after the claim's lease ran out.
            for (let attempt = 0; ; attempt++) {
              expect(attempt).toBeLessThan(10);
              try {
                await notifyCustomer(ALL_EVENTS[event]!, deps);
                break;
              } catch {
                clock += CLAIM_LEASE_MS + 1;
              }
            }
          }
          const announced = [...new Set(deliveries.map((d) => ALL_EVENTS[d.event]!))].flatMap((e) => {
            const notice = changeOf(e);
            return notice ? [notificationId(notice)] : [];
          });
          expect(email.sent.map((m) => m.idempotencyKey).sort()).toEqual([...new Set(announced)].sort());
          for (const m of email.sent) {
            const orderIndex = ORDERS.indexOf(m.idempotencyKey.split('#')[0]!);
            expect(m.to).toBe(`user-${orderIndex}@example.com`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('GIVEN a live claim by another delivery WHEN the same change arrives THEN it is retried later, not sent twice', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const now = new Date(T);
    const deps: NotifyDependencies = { log, orders: new StaticOrders([order('o-0')]), customers, email, now: () => now };
    await log.claim('o-0#confirmed', now);

    await expect(notifyCustomer(eventsOf('o-0')[0]!, deps)).rejects.toThrow(/being sent by another delivery/);
    expect(email.sent).toEqual([]);
  });

  it('GIVEN a crash after the send and before the completion WHEN redelivered after the lease THEN the email goes out again: the documented at-least-once edge', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    const deps: NotifyDependencies = {
      log: { claim: (id, at) => log.claim(id, at), complete: async () => Promise.reject(new Error('crash')) },
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
    };
    await expect(notifyCustomer(eventsOf('o-0')[0]!, deps)).rejects.toThrow('crash');
    clock += CLAIM_LEASE_MS + 1;
    await notifyCustomer(eventsOf('o-0')[0]!, { ...deps, log });

    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed', 'o-0#confirmed']);
    expect(await log.claim('o-0#confirmed', new Date(clock))).toEqual({ kind: 'sent' });
  });
});
