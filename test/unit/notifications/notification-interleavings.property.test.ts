import fc from 'fast-check';
import { EARLIER_CHANGES, type NotifiableEvent, type OrderChange } from '../../../lambdas/notifications/notification';
import { notificationsConsumer } from '../../../lambdas/notifications/notifications-consumer';
import type { Email } from '../../../lambdas/notifications/notification';
import { SendOutcomeUnknownError, type Claim, type NotificationLog } from '../../../lambdas/notifications/ports';
import { DEFAULT_RETRY_POLICY, type Clock } from '../../../lambdas/shared/kafka/retry-budget';
import type { SentEmail } from '../../../lambdas/shared/notifications/sent-email';
import { customers, InMemoryNotificationLog, order, StaticOrders } from '../../support/doubles/notifications';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { mskEvent } from '../../support/msk';

/**
 * I8 under contention: the three notification mappings (billing_outcome, inventory_outcome,
 * shipping) run at once, each invocation with one record, in virtual time. EARLIER_CHANGES makes
 * them claim the same `confirmed` and `cancelled` notifications; the provider and the send log are
 * throttled at random, invocations crash after a claim or after the provider accepted an email, and
 * the provider accepts an email without answering. Every change is emailed, in order, and none twice
 * except once per crash between the provider's acceptance and the record, or per unanswered send
 * (the documented window), which the claim records. Without a crash no record is ever handed back
 * to the event source mapping, and no invocation runs past its timeout.
 */
const TIMEOUT_MS = 30_000;
const T0 = Date.parse('2026-11-28T12:00:00Z');
const AT = new Date(T0).toISOString();
const money = { transaction_id: 't', amount: 99, currency: 'USD' };

/** Virtual time: a sleep resolves when every earlier timer has; nothing waits for real time. */
class VirtualTime {
  now = T0;
  private seq = 0;
  private readonly timers: { at: number; seq: number; resolve: () => void }[] = [];

  readonly sleep = (ms: number) =>
    new Promise<void>((resolve) => this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, resolve }));

  readonly clock: Clock = { now: () => this.now, sleep: this.sleep, random: () => 0.5 };

  /** Runs timers in time order until `done` settles. */
  async run(done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.finally(() => (settled = true));
    for (let steps = 0; steps < 200_000; steps++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('nothing left to run, but the mappings are not done');
      this.now = next.at;
      next.resolve();
    }
    throw new Error('too many steps');
  }
}

class Crash extends Error {
  override name = 'Crash';
}
const throttled = (name: string) => Object.assign(new Error('Rate exceeded'), { name });

type SendFault = 'ok' | 'throttle' | 'crash-after-accept' | 'unanswered';
type ClaimFault = 'ok' | 'throttle' | 'crash-after-claim';
type CompleteFault = 'ok' | 'throttle';

interface Scenario {
  readonly orders: readonly { readonly cancelled: boolean }[];
  /** When each mapping starts reading (a backlog on one topic is read after the others'). */
  readonly starts: readonly [number, number, number];
  readonly latencies: readonly number[];
  readonly sends: readonly SendFault[];
  readonly claims: readonly ClaimFault[];
  readonly completes: readonly CompleteFault[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  orders: fc.array(fc.record({ cancelled: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  starts: fc.tuple(fc.constantFrom(0, 50, 5_000), fc.constantFrom(0, 50, 5_000), fc.constantFrom(0, 50, 5_000)),
  latencies: fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 16 }),
  sends: fc.array(fc.constantFrom<SendFault>('ok', 'ok', 'throttle', 'throttle', 'crash-after-accept', 'unanswered'), {
    maxLength: 12,
  }),
  claims: fc.array(fc.constantFrom<ClaimFault>('ok', 'ok', 'throttle', 'crash-after-claim'), { maxLength: 12 }),
  completes: fc.array(fc.constantFrom<CompleteFault>('ok', 'throttle', 'throttle'), { maxLength: 8 }),
});

/** The mappings' topics with one order's events on each, in the order the saga writes them. */
function topicsOf(orders: Scenario['orders']): Record<string, NotifiableEvent[]> {
  const billing: NotifiableEvent[] = [];
  const cancellations: NotifiableEvent[] = [];
  const dispatches: NotifiableEvent[] = [];
  orders.forEach(({ cancelled }, i) => {
    const order_id = `o-${i}`;
    billing.push({
      event_type: 'BillingOutcome',
      event_id: `p-${i}`,
      order_id,
      payment_status: 'paid',
      ...money,
      timestamp: AT,
    });
    if (cancelled) {
      cancellations.push({
        event_type: 'OrderCancelled',
        event_id: `c-${i}`,
        order_id,
        reason: 'out_of_stock',
        timestamp: AT,
      });
      billing.push({
        event_type: 'BillingOutcome',
        event_id: `r-${i}`,
        order_id,
        payment_status: 'refunded',
        ...money,
        timestamp: AT,
      });
    } else {
      dispatches.push({
        event_type: 'ShipmentDispatched',
        event_id: `s-${i}`,
        order_id,
        shipment_id: 'sh',
        timestamp: AT,
      });
    }
  });
  return { billing_outcome: billing, inventory_outcome: cancellations, shipping: dispatches };
}

function expectedChanges(orders: Scenario['orders']): string[] {
  return orders.flatMap(({ cancelled }, i) =>
    (cancelled ? ['confirmed', 'cancelled', 'refunded'] : ['confirmed', 'shipped']).map((c) => `o-${i}#${c}`),
  );
}

async function play(s: Scenario) {
  const time = new VirtualTime();
  let latency = 0;
  const wait = () => time.sleep(s.latencies[latency++ % s.latencies.length]!);
  const next = <F extends string>(faults: readonly F[], counter: { n: number }): F | 'ok' =>
    faults[counter.n++] ?? 'ok';
  const counters = { send: { n: 0 }, claim: { n: 0 }, complete: { n: 0 } };

  const mailbox: string[] = [];
  const crashesAfterAccept = new Map<string, number>();
  const unanswered = new Map<string, number>();
  let crashes = 0;
  const store = new InMemoryNotificationLog();
  const log: NotificationLog = {
    async claim(id: string, owner: string, _now: Date, leaseUntil: number): Promise<Claim> {
      await wait();
      const fault = next(s.claims, counters.claim);
      if (fault === 'throttle') throw throttled('ProvisionedThroughputExceededException');
      const claim = await store.claim(id, owner, new Date(time.now), leaseUntil);
      if (fault === 'crash-after-claim' && claim.kind === 'claimed') {
        crashes++;
        throw new Crash(`crashed after claiming ${id}`);
      }
      return claim;
    },
    async release(id: string, owner: string): Promise<void> {
      await wait();
      await store.release(id, owner);
    },
    async recordUnansweredSend(id: string, owner: string): Promise<void> {
      await wait();
      await store.recordUnansweredSend(id, owner);
    },
    async complete(id: string, _sent: SentEmail): Promise<void> {
      await wait();
      if (next(s.completes, counters.complete) === 'throttle') throw throttled('ThrottlingException');
      await store.complete(id);
    },
  };
  const email = {
    async send(message: Email) {
      await wait();
      const fault = next(s.sends, counters.send);
      if (fault === 'throttle') throw throttled('TooManyRequestsException');
      mailbox.push(message.idempotencyKey);
      if (fault === 'crash-after-accept') {
        crashes++;
        crashesAfterAccept.set(message.idempotencyKey, (crashesAfterAccept.get(message.idempotencyKey) ?? 0) + 1);
        throw new Crash(`crashed after the provider accepted ${message.idempotencyKey}`);
      }
      if (fault === 'unanswered') {
        unanswered.set(message.idempotencyKey, (unanswered.get(message.idempotencyKey) ?? 0) + 1);
        throw new SendOutcomeUnknownError(`the provider accepted ${message.idempotencyKey} and never answered`);
      }
      return { messageId: `<${mailbox.length}@test>` };
    },
  };
  const orders = new StaticOrders(s.orders.map((_, i) => order(`o-${i}`, `user-${i}`)));
  const publisher = new RecordingPublisher();
  const consumer = notificationsConsumer({
    log,
    orders: { get: async (id) => (await wait(), orders.get(id)) },
    customers,
    email,
    publisher,
    partialBatchResponse: true,
    now: () => new Date(time.now),
    sleep: time.sleep,
    clock: time.clock,
    retryPolicy: DEFAULT_RETRY_POLICY,
  });

  let handedBack = 0;
  let overran = 0;
  let invocations = 0;
  const runMapping = async (topic: string, events: readonly NotifiableEvent[], start: number) => {
    await time.sleep(start);
    for (const [offset, event] of events.entries()) {
      // Lambda invokes again until the record succeeds (the budget is not what is under test here).
      for (let attempt = 0; ; attempt++) {
        if (attempt > 20) throw new Error(`${topic}@${offset} never succeeded`);
        const started = time.now;
        const requestId = `request-${++invocations}`;
        const response = await consumer(mskEvent([{ topic, offset, key: event.order_id, value: event }]), {
          awsRequestId: requestId,
          getRemainingTimeInMillis: () => started + TIMEOUT_MS - time.now,
        });
        if (time.now > started + TIMEOUT_MS) overran++;
        if (response.batchItemFailures.length === 0) break;
        handedBack++;
        await time.sleep(1_000);
      }
    }
  };
  const topics = topicsOf(s.orders);
  await time.run(
    Promise.all(Object.entries(topics).map(([topic, events], i) => runMapping(topic, events, s.starts[i]!))),
  );
  return {
    mailbox,
    crashesAfterAccept,
    unanswered,
    store,
    crashes,
    handedBack,
    overran,
    deadLetters: publisher.published,
  };
}

describe('I8 under contention: three mappings, throttles and crashes', () => {
  it('GIVEN the three notification mappings racing for the same claims with throttled provider and log and crashing invocations WHEN every record is processed THEN every change is emailed, in order, none twice but for a crash between acceptance and record or an unanswered send, which the record counts', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { mailbox, crashesAfterAccept, unanswered, store, crashes, handedBack, overran, deadLetters } =
          await play(s);

        const expected = expectedChanges(s.orders);
        expect([...new Set(mailbox)].sort()).toEqual([...expected].sort());
        for (const id of expected) {
          const copies = mailbox.filter((m) => m === id).length;
          expect(copies).toBeLessThanOrEqual(1 + (crashesAfterAccept.get(id) ?? 0) + (unanswered.get(id) ?? 0));
        }
        // Every unanswered send is on the sent record: why a second email may exist.
        expect(new Map(expected.map((id) => [id, store.records.get(id)?.unansweredSends ?? 0]))).toEqual(
          new Map(expected.map((id) => [id, unanswered.get(id) ?? 0])),
        );
        for (const id of expected) {
          const [orderId, change] = id.split('#') as [string, OrderChange];
          for (const earlier of EARLIER_CHANGES[change]) {
            expect(mailbox.indexOf(`${orderId}#${earlier}`)).toBeLessThan(mailbox.indexOf(id));
          }
        }
        expect(deadLetters).toEqual([]);
        expect(overran).toBe(0);
        expect(crashes > 0 || handedBack === 0).toBe(true);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('GIVEN a backlog on billing_outcome read before the cancellations WHEN the refund and the cancellation race for the cancelled claim, with nothing failing THEN nothing is handed back and each change goes once', async () => {
    const result = await play({
      orders: [{ cancelled: true }, { cancelled: true }, { cancelled: false }],
      starts: [0, 0, 0],
      latencies: [5, 40, 10, 70],
      sends: [],
      claims: [],
      completes: [],
    });

    expect(result.handedBack).toBe(0);
    expect([...result.mailbox].sort()).toEqual(
      expectedChanges([{ cancelled: true }, { cancelled: true }, { cancelled: false }]).sort(),
    );
  });
});
