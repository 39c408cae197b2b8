import fc from 'fast-check';
import {
  changeOf,
  EARLIER_CHANGES,
  notificationId,
  type OrderChange,
} from '../../../lambdas/notifications/notification';
import {
  notifyCustomer,
  NotificationPendingError,
  type Delivery,
  type NotifyDependencies,
} from '../../../lambdas/notifications/send-notification';
import type { NotifiableEvent } from '../../../lambdas/notifications/notification';
import { SendOutcomeUnknownError, type EmailSender } from '../../../lambdas/notifications/ports';
import { classifyError } from '../../../lambdas/shared/errors';
import {
  customers,
  InMemoryNotificationLog,
  order,
  RecordingEmailSender,
  StaticOrders,
} from '../../support/doubles/notifications';

/**
 * I8: exactly one email per order and change, whatever the redeliveries.
 *
 * The outcome events of a few orders (paid or declined, cancelled, refunded, dispatched, and events
 * that announce nothing) are delivered any number of times, in any order, with provider failures
 * at any send (retried within the same delivery, as the batch loop does, until an attempt
 * succeeds). Each change gets one email, to the order's customer, after the emails of the changes
 * before it (EARLIER_CHANGES: a shipment implies the payment); a change that was never implied gets
 * none. The three mappings racing for the same claims, with throttles and crashes, are in
 * notification-interleavings.property.test.ts.
 */
const TIMEOUT_MS = 30_000;
const MARGIN_MS = 10_000;
const ORDERS = ['o-0', 'o-1', 'o-2'];
const T = '2026-11-28T12:00:00Z';
const money = { transaction_id: 't', amount: 99, currency: 'USD' };
const eventsOf = (orderId: string): NotifiableEvent[] => [
  {
    event_type: 'BillingOutcome',
    event_id: `p-${orderId}`,
    order_id: orderId,
    payment_status: 'paid',
    ...money,
    timestamp: T,
  },
  {
    event_type: 'BillingOutcome',
    event_id: `d-${orderId}`,
    order_id: orderId,
    payment_status: 'declined',
    ...money,
    timestamp: T,
  },
  {
    event_type: 'BillingOutcome',
    event_id: `r-${orderId}`,
    order_id: orderId,
    payment_status: 'refunded',
    ...money,
    timestamp: T,
  },
  { event_type: 'OrderCancelled', event_id: `c-${orderId}`, order_id: orderId, reason: 'out_of_stock', timestamp: T },
  { event_type: 'ShipmentDispatched', event_id: `s-${orderId}`, order_id: orderId, shipment_id: 'sh', timestamp: T },
];
const ALL_EVENTS = ORDERS.flatMap(eventsOf);
let deliveries = 0;
/** A new delivery (invocation and record) whose invocation ends TIMEOUT_MS after `now`. */
const delivery = (now: number): Delivery => ({
  owner: `request-${++deliveries}/billing_outcome-0@0`,
  endsAt: now + TIMEOUT_MS,
  safetyMarginMs: MARGIN_MS,
});

/** Order o-0's dependencies on a clock that stands still at `now`, with `overrides` for what a test changes. */
const standingDeps = (
  log: InMemoryNotificationLog,
  email: RecordingEmailSender,
  now: Date,
  overrides: Partial<NotifyDependencies> = {},
): NotifyDependencies => ({
  log,
  orders: new StaticOrders([order('o-0')]),
  customers,
  email,
  now: () => now,
  sleep: async () => undefined,
  ...overrides,
});

describe('I8: one email per order and change', () => {
  it('GIVEN outcome events delivered any number of times with failing sends WHEN all are processed THEN each announced change is emailed exactly once to its customer, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ event: fc.nat(ALL_EVENTS.length - 1), failures: fc.integer({ min: 0, max: 2 }) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (events) => {
          const email = new RecordingEmailSender();
          let clock = Date.parse(T);
          const deps: NotifyDependencies = {
            log: new InMemoryNotificationLog(),
            orders: new StaticOrders(ORDERS.map((id, i) => order(id, `user-${i}`))),
            customers,
            email,
            now: () => new Date((clock += 100)),
            sleep: async (ms) => void (clock += ms),
          };
          for (const { event, failures } of events) {
            email.failNext = failures;
            // A failed attempt is retried within the same delivery: it takes its own claim again.
            const current = delivery(clock);
            const failed: unknown[] = [];
            while (
              !(await notifyCustomer(ALL_EVENTS[event]!, deps, current).then(
                () => true,
                (error: unknown) => failed.push(error) > 5,
              ))
            );
            expect(failed.map((e) => classifyError(e).kind)).toEqual(failed.map(() => 'transient'));
            expect(failed.length).toBeLessThanOrEqual(failures);
          }
          const announced = [...new Set(events.map((d) => ALL_EVENTS[d.event]!))].flatMap((e) => {
            const notice = changeOf(e);
            return [...EARLIER_CHANGES[notice.change], notice.change].map((change) =>
              notificationId({ ...notice, change }),
            );
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
    const deps = standingDeps(log, email, now);
    const [paid, , refunded, cancelled] = eventsOf('o-0');

    const first = await notifyCustomer(refunded!, deps, delivery(now.getTime()));
    const later = await Promise.all([paid!, cancelled!].map((e) => notifyCustomer(e, deps, delivery(now.getTime()))));

    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed', 'o-0#cancelled', 'o-0#refunded']);
    expect(first.sent.map((s) => s.notice.change)).toEqual(['confirmed', 'cancelled', 'refunded']);
    expect(later).toEqual([
      { kind: 'already-sent', notice: { order_id: 'o-0', change: 'confirmed' }, sent: [] },
      { kind: 'already-sent', notice: { order_id: 'o-0', change: 'cancelled' }, sent: [] },
    ]);
  });

  it('GIVEN a throttled send WHEN the same delivery retries THEN it takes its own claim again and sends once, without waiting for its lease', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const now = new Date(T);
    const deps = standingDeps(log, email, now);
    const current = delivery(now.getTime());
    email.failNext = 1;

    const throttled = await notifyCustomer(eventsOf('o-0')[0]!, deps, current).catch((e: unknown) => e);
    const retried = await notifyCustomer(eventsOf('o-0')[0]!, deps, current);

    expect(classifyError(throttled).kind).toBe('transient');
    expect(retried.sent).toEqual([{ notice: { order_id: 'o-0', change: 'confirmed' }, attempt: 2 }]);
    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed']);
  });

  it('GIVEN another live delivery sending the same change WHEN it arrives THEN it is pending, a transient condition the batch loop waits for, and nothing is sent', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const now = new Date(T);
    const deps = standingDeps(log, email, now);
    await log.claim('o-0#confirmed', 'another-request/shipping-0@0', now, now.getTime() + TIMEOUT_MS);

    const pending = await notifyCustomer(eventsOf('o-0')[0]!, deps, delivery(now.getTime())).catch((e: unknown) => e);

    expect(pending).toBeInstanceOf(NotificationPendingError);
    expect((pending as Error).message).toMatch(/being sent by another delivery/);
    expect(classifyError(pending)).toEqual({
      kind: 'transient',
      reason: expect.stringMatching(/NotificationPendingError/),
    });
    expect(email.sent).toEqual([]);
  });

  it('GIVEN a completion throttled after the provider accepted the email WHEN it is retried THEN the record is written and the email is not sent again', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    let throttles = 3;
    const retries: number[] = [];
    const deps: NotifyDependencies = {
      log: {
        claim: (...args) => log.claim(...args),
        release: (...args) => log.release(...args),
        recordUnansweredSend: (...args) => log.recordUnansweredSend(...args),
        complete: async (id) => {
          if (throttles-- > 0)
            throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
          return log.complete(id);
        },
      },
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
      onCompletionRetry: (retry) => retries.push(retry.attempt),
    };

    const outcome = await notifyCustomer(eventsOf('o-0')[0]!, deps, delivery(clock));

    expect(outcome.sent).toHaveLength(1);
    expect(retries).toEqual([1, 2, 3]);
    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed']);
    expect(log.records.get('o-0#confirmed')).toMatchObject({ status: 'sent' });
  });

  it("GIVEN less than the batch loop's margin left WHEN a change would be sent THEN nothing is claimed or sent and the record is pending", async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const start = Date.parse(T);
    const deps = standingDeps(log, email, new Date(start + TIMEOUT_MS - MARGIN_MS + 1));

    const late = notifyCustomer(eventsOf('o-0')[0]!, deps, delivery(start));

    await expect(late).rejects.toThrow(/under the 10000 ms a send needs/);
    expect(log.records.size).toBe(0);
    expect(email.sent).toEqual([]);
  });

  it('GIVEN the margin reached after the claim (a slow order read) WHEN the send would start THEN the claim is released, so another delivery sends at once', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    const slowOrders = new StaticOrders([order('o-0')]);
    const deps: NotifyDependencies = {
      log,
      orders: { get: async (id) => ((clock += TIMEOUT_MS - MARGIN_MS + 1), slowOrders.get(id)) },
      customers,
      email,
      now: () => new Date(clock),
      sleep: async () => undefined,
    };

    await expect(notifyCustomer(eventsOf('o-0')[0]!, deps, delivery(clock))).rejects.toThrow(/a send needs/);
    const other = await notifyCustomer(eventsOf('o-0')[0]!, { ...deps, orders: slowOrders }, delivery(clock));

    expect(other.sent).toHaveLength(1);
    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed']);
  });

  it('GIVEN a send the provider accepted but never answered WHEN the same delivery retries THEN the email goes out again and the sent record says one send got no answer', async () => {
    const log = new InMemoryNotificationLog();
    const mailbox: string[] = [];
    let unanswered = 1;
    let clock = Date.parse(T);
    const email: EmailSender = {
      send: async (message) => {
        mailbox.push(message.idempotencyKey);
        if (unanswered-- > 0) throw new SendOutcomeUnknownError('SES did not answer SendEmail (ETIMEDOUT)');
        return { messageId: `<${mailbox.length}@test>` };
      },
    };
    const deps: NotifyDependencies = {
      log,
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
    };
    const sameDelivery = delivery(clock);
    const first = await notifyCustomer(eventsOf('o-0')[0]!, deps, sameDelivery).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SendOutcomeUnknownError);
    expect(classifyError(first).kind).toBe('transient');

    await notifyCustomer(eventsOf('o-0')[0]!, deps, sameDelivery);

    expect(mailbox).toEqual(['o-0#confirmed', 'o-0#confirmed']);
    expect(log.records.get('o-0#confirmed')).toMatchObject({ status: 'sent', unansweredSends: 1, attempt: 2 });
  });

  it('GIVEN a crash after the send and before the completion WHEN redelivered after its invocation ended THEN the email goes out again: the documented at-least-once edge', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    let clock = Date.parse(T);
    const deps: NotifyDependencies = {
      log: {
        claim: (...args) => log.claim(...args),
        release: (...args) => log.release(...args),
        recordUnansweredSend: (...args) => log.recordUnansweredSend(...args),
        complete: async () => Promise.reject(new Error('crash')),
      },
      orders: new StaticOrders([order('o-0')]),
      customers,
      email,
      now: () => new Date(clock),
      sleep: async (ms) => void (clock += ms),
    };
    await expect(notifyCustomer(eventsOf('o-0')[0]!, deps, delivery(clock))).rejects.toThrow('crash');
    clock += TIMEOUT_MS + 1;
    await notifyCustomer(eventsOf('o-0')[0]!, { ...deps, log }, delivery(clock));

    expect(email.sent.map((m) => m.idempotencyKey)).toEqual(['o-0#confirmed', 'o-0#confirmed']);
    expect(await log.claim('o-0#confirmed', 'later', new Date(clock), clock + TIMEOUT_MS)).toEqual({ kind: 'sent' });
  });

  it('GIVEN an outcome of an order the strongly consistent read does not find WHEN notified THEN it is poison (dead-lettered with the reason, not waited for), nothing is sent and its claim is released', async () => {
    const email = new RecordingEmailSender();
    const log = new InMemoryNotificationLog();
    const now = new Date(T);
    const deps = standingDeps(log, email, now, { orders: new StaticOrders([]) });
    const [paid] = eventsOf('o-gone');

    const failure = await notifyCustomer(paid!, deps, delivery(now.getTime())).catch((error: unknown) => error);

    expect(classifyError(failure)).toMatchObject({ kind: 'poison', reason: 'unknown order o-gone' });
    expect(email.sent).toEqual([]);
    expect(await log.claim('o-gone#confirmed', 'another/billing_outcome-0@1', now, now.getTime() + 1)).toMatchObject({
      kind: 'claimed',
    });
  });
});
