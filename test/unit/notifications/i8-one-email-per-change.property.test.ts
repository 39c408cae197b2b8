import fc from 'fast-check';
import { changeOf, EARLIER_CHANGES, notificationId, type OrderChange } from '../../../lambdas/notifications/notification';
import { notifyCustomer, type NotifyDependencies } from '../../../lambdas/notifications/send-notification';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { customers, InMemoryNotificationLog, order, RecordingEmailSender, StaticOrders } from '../../support/doubles/notifications';

/**
 * I8: exactly one email per order and change, whatever the redeliveries.
 *
 * The outcome events of a few orders (paid or declined, cancelled, refunded, dispatched, and events
 * that announce nothing) are delivered any number of times, in any order, with provider failures
 * at any send (the record is delivered again, soon or much later, until an attempt succeeds). Each
 * change gets one email, to the order's customer, after the emails of the changes before it
 * (EARLIER_CHANGES: a shipment implies the payment); a change that was never implied gets none.
 */
const TIMEOUT_MS = 30_000;
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
  it('GIVEN outcome events delivered any number of times with failing sends WHEN all are processed THEN each announced change is emailed exactly once to its customer, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            event: fc.nat(ALL_EVENTS.length - 1),
            failures: fc.integer({ min: 0, max: 2 }),
            retryGapMs: fc.constantFrom(0, 10_000, 120_000),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        async (deliveries) => {
          const email = new RecordingEmailSender();
          let clock = Date.parse(T);
          const deps: NotifyDependencies = {
            log: new InMemoryNotificationLog(),
            orders: new StaticOrders(ORDERS.map((id, i) => order(id, `user-${i}`))),
            customers,
            email,
            now: () => new Date((clock += 1000)),
            sleep: async (ms) => void (clock += ms),
          };
          for (const { event, failures, retryGapMs } of deliveries) {
            email.failNext = failures;
            // At least once: a failed attempt is delivered again, in a new invocation.
            for (let attempt = 0; ; attempt++) {
              expect(attempt).toBeLessThan(30);
              try {
                await notifyCustomer(ALL_EVENTS[event]!, deps, clock + TIMEOUT_MS);
                break;
              } catch {
                clock += retryGapMs;
              }
            }
          }
          const announced = [...new Set(deliveries.map((d) => ALL_EVENTS[d.event]!))].flatMap((e) => {
            const notice = changeOf(e);
            return notice
              ? [...EARLIER_CHANGES[notice.change], notice.change].map((change) => notificationId({ ...notice, change }))
              : [];
          });
          const sentIds = email.sent.map((m) => m.idempotencyKey);
          expect([...sentIds].sort()).toEqual([...new Set(announced)].sort());
          // In order per order: every change after the changes before it.
          for (const id of sentIds) {
            const [orderId, change] = id.split('#') as [string, OrderChange];
            for (const earlier of EARLIER_CHANGES[change]) {
              expect(sentIds.indexOf(`${orderId}#${earlier}`)).toBeLessThan(sentIds.indexOf(id));
            }
          }
          for (const m of email.sent) {
            const orderIndex = ORDERS.indexOf(m.idempotencyKey.split('#')[0]!);
            expect(m.to).toBe(`user-${orderIndex}@example.com`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('GIVEN a refund read before the payment and the cancellation (a backlog on three topics) WHEN notified THEN the customer hears of them in the order they happened, once each', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const now = new Date(T);
    const deps: NotifyDependencies = {
      log,
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => now,
      sleep: async () => undefined,
    };
    const [paid, , refunded, cancelled] = eventsOf('o-0');

    const first = await notifyCustomer(refunded!, deps, now.getTime() + TIMEOUT_MS);
    const later = await Promise.all([paid!, cancelled!].map((e) => notifyCustomer(e, deps, now.getTime() + TIMEOUT_MS)));

    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed', 'o-0#cancelled', 'o-0#refunded']);
    expect(first.sent.map((s) => s.notice.change)).toEqual(['confirmed', 'cancelled', 'refunded']);
    expect(later.map((o) => [o.sent, o.alreadySent?.change])).toEqual([
      [[], 'confirmed'],
      [[], 'cancelled'],
    ]);
  });

  it('GIVEN another delivery sending the same change WHEN it completes soon after THEN this one stops waiting and finds it sent, well before the claim would end', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    await log.claim('o-0#confirmed', new Date(clock), clock + 20_000);
    const deps: NotifyDependencies = {
      log,
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
      sleep: async (ms) => {
        clock += ms;
        if (clock - Date.parse(T) >= 300) await log.complete('o-0#confirmed');
      },
    };

    const outcome = await notifyCustomer(eventsOf('o-0')[0]!, deps, clock + TIMEOUT_MS);

    expect(outcome).toEqual({ sent: [], alreadySent: { order_id: 'o-0', change: 'confirmed' } });
    expect(clock - Date.parse(T)).toBeLessThan(1_000);
    expect(email.sent).toEqual([]);
  });

  it('GIVEN a claim that outlives this invocation WHEN the same change arrives THEN it is retried later, not sent twice', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const now = new Date(T);
    const sleep = jest.fn(async () => undefined);
    const deps: NotifyDependencies = { log, orders: new StaticOrders([order('o-0')]), customers, email, now: () => now, sleep };
    await log.claim('o-0#confirmed', now, now.getTime() + TIMEOUT_MS);

    const redelivery = notifyCustomer(eventsOf('o-0')[0]!, deps, now.getTime() + TIMEOUT_MS);

    await expect(redelivery).rejects.toThrow(/being sent by another delivery/);
    expect(sleep).not.toHaveBeenCalled();
    expect(email.sent).toEqual([]);
  });

  it('GIVEN the claim of a crashed invocation that ends within this one WHEN the change is redelivered THEN it waits for the claim to end and sends once', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    const crashedDeadline = clock + TIMEOUT_MS;
    await log.claim('o-0#confirmed', new Date(clock), crashedDeadline);
    clock += 8_000; // the runner restarts and redelivers
    const deps: NotifyDependencies = {
      log,
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
    };

    await notifyCustomer(eventsOf('o-0')[0]!, deps, clock + TIMEOUT_MS);

    expect(clock).toBeGreaterThan(crashedDeadline);
    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed']);
    expect(log.records.get('o-0#confirmed')).toMatchObject({ status: 'sent', attempt: 2 });
  });

  it('GIVEN a crash after the send and before the completion WHEN redelivered after its invocation ended THEN the email goes out again: the documented at-least-once edge', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    const deps: NotifyDependencies = {
      log: { claim: (...args) => log.claim(...args), complete: async () => Promise.reject(new Error('crash')) },
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
    };
    await expect(notifyCustomer(eventsOf('o-0')[0]!, deps, clock + TIMEOUT_MS)).rejects.toThrow('crash');
    clock += TIMEOUT_MS + 1;
    await notifyCustomer(eventsOf('o-0')[0]!, { ...deps, log }, clock + TIMEOUT_MS);

    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed', 'o-0#confirmed']);
    expect(await log.claim('o-0#confirmed', new Date(clock), clock + TIMEOUT_MS)).toEqual({ kind: 'sent' });
  });
});
