import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { PoisonRecordError } from '../../../lambdas/shared/errors';
import { kafkaBatchHandler } from '../../../lambdas/shared/kafka/batch';
import { CoalescingSender } from '../../../lambdas/shared/kafka/coalescing-sender';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import type { Clock, RetryPolicy } from '../../../lambdas/shared/kafka/retry-budget';
import { mskEvent, paidOutcome } from '../../support/msk';

/** A paid outcome on billing_outcome, keyed (and named) by `key`, on `partition`. */
const paid = (partition: number, key: string) => ({
  topic: 'billing_outcome',
  partition,
  key,
  value: paidOutcome(key),
});

const policy: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 2_000, safetyMarginMs: 5_000 };
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
const leaderNotAvailable = () =>
  new AggregateError([Object.assign(new Error('no leader'), { apiId: 'LEADER_NOT_AVAILABLE' })], 'produce failed');
const tooLarge = () =>
  new AggregateError([Object.assign(new Error('too large'), { apiId: 'MESSAGE_TOO_LARGE' })], 'produce failed');

/** Virtual time: a sleep moves the clock on at once, so the tests wait for nothing real. */
function fakeClock(): Clock & { readonly sleeps: number[] } {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms) => {
      sleeps.push(ms);
      time += ms;
    },
    random: () => 0.5,
  };
}

const lambdaContext = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });
const orderIdOf = (event: AnyEvent) => (event as { order_id: string }).order_id;

function setup(options: {
  handle: (orderId: string, attempt: number) => Promise<void>;
  deadLetters?: (events: readonly OutgoingEvent[]) => Promise<void>;
}) {
  const clock = fakeClock();
  const attempts = new Map<string, number>();
  const deadLetters: OutgoingEvent[] = [];
  const handler = kafkaBatchHandler({
    consumer: 'test-consumer',
    eventTypes: ['BillingOutcome'],
    partialBatchResponse: true,
    retryPolicy: policy,
    clock,
    deadLetters: {
      publish: async (events) => {
        await options.deadLetters?.(events);
        deadLetters.push(...events);
      },
    },
    handle: async (event) => {
      const orderId = orderIdOf(event);
      const attempt = (attempts.get(orderId) ?? 0) + 1;
      attempts.set(orderId, attempt);
      await options.handle(orderId, attempt);
    },
  });
  return { handler, clock, attempts, deadLetters };
}

const failures = (response: { batchItemFailures: { itemIdentifier: { partition: string; offset: number } }[] }) =>
  response.batchItemFailures.map((f) => `${f.itemIdentifier.partition}@${f.itemIdentifier.offset}`);

describe('kafkaBatchHandler retries within the invocation', () => {
  it('GIVEN a store throttled three times WHEN processed with time left THEN the record succeeds in the same invocation after growing, jittered waits', async () => {
    const { handler, clock, attempts } = setup({
      handle: async (_id, attempt) => {
        if (attempt <= 3) throw throttled();
      },
    });

    const response = await handler(
      mskEvent([{ topic: 'billing_outcome', value: paidOutcome('a') }]),
      lambdaContext(30_000),
    );

    expect(failures(response)).toEqual([]);
    expect(attempts.get('a')).toBe(4);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('GIVEN an outage longer than the invocation WHEN processed THEN it waits no later than the time left minus the margin, then hands back the record and those behind it, and the other partition is done', async () => {
    const { handler, clock, attempts } = setup({
      handle: async (id) => {
        if (id === 'a') throw leaderNotAvailable();
      },
    });
    const started = clock.now();

    const response = await handler(mskEvent([paid(0, 'a'), paid(0, 'a'), paid(1, 'b')]), lambdaContext(30_000));

    expect(failures(response)).toEqual(['billing_outcome-0@0', 'billing_outcome-0@1']);
    expect(attempts.get('b')).toBe(1);
    expect(clock.sleeps.length).toBeGreaterThan(5);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(policy.maxDelayMs);
    expect(clock.now() - started).toBeLessThanOrEqual(30_000 - policy.safetyMarginMs);
    expect(clock.now() - started).toBeGreaterThan(30_000 - policy.safetyMarginMs - policy.maxDelayMs);
  });

  it('GIVEN no Lambda context WHEN a record fails transiently THEN it is handed back without waiting', async () => {
    const { handler, clock } = setup({
      handle: async () => {
        throw throttled();
      },
    });
    const response = await handler(mskEvent([{ topic: 'billing_outcome', value: paidOutcome('a') }]));
    expect(failures(response)).toEqual(['billing_outcome-0@0']);
    expect(clock.sleeps).toEqual([]);
  });

  it('GIVEN an error no one anticipated WHEN processed THEN it is handed back at once, neither waited for nor dead-lettered', async () => {
    const { handler, clock, deadLetters } = setup({
      handle: async () => {
        throw new Error('something broke');
      },
    });
    const response = await handler(
      mskEvent([{ topic: 'billing_outcome', value: paidOutcome('a') }]),
      lambdaContext(30_000),
    );
    expect(failures(response)).toEqual(['billing_outcome-0@0']);
    expect(clock.sleeps).toEqual([]);
    expect(deadLetters).toEqual([]);
  });

  it('GIVEN a DynamoDB ValidationException WHEN processed THEN the record is dead-lettered with the reason and its partition flows on', async () => {
    const { handler, clock, deadLetters, attempts } = setup({
      handle: async (id) => {
        if (id === 'a')
          throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          });
      },
    });

    const response = await handler(
      mskEvent([
        { topic: 'billing_outcome', key: 'a', value: paidOutcome('a') },
        { topic: 'billing_outcome', key: 'b', value: paidOutcome('b') },
      ]),
      lambdaContext(30_000),
    );

    expect(failures(response)).toEqual([]);
    expect(attempts.get('b')).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(deadLetters.map((d) => (d.event as { reason: string }).reason)).toEqual([
      'ValidationException: Item size has exceeded the maximum allowed size',
    ]);
  });

  it('GIVEN the broker refuses a dead letter for its size WHEN a poison record is dead-lettered THEN it is sent again without the value prefix', async () => {
    let refusals = 1;
    const { handler, deadLetters, clock } = setup({
      handle: async () => undefined,
      deadLetters: async () => {
        if (refusals-- > 0) throw tooLarge();
      },
    });

    const response = await handler(mskEvent([{ topic: 'billing_outcome', value: 'not json' }]), lambdaContext(30_000));

    expect(failures(response)).toEqual([]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.event).toMatchObject({ source: { value: '', value_truncated: true, value_size: 8 } });
    expect(clock.sleeps).toEqual([]);
  });

  it('GIVEN the broker refuses every dead letter for its size WHEN a poison record arrives THEN it goes back to Lambda at once, never waited for as transient', async () => {
    const { handler, deadLetters, clock } = setup({
      handle: async () => undefined,
      deadLetters: async () => {
        throw tooLarge();
      },
    });

    const response = await handler(mskEvent([{ topic: 'billing_outcome', value: 'not json' }]), lambdaContext(30_000));

    expect(failures(response)).toEqual(['billing_outcome-0@0']);
    expect(deadLetters).toEqual([]);
    expect(clock.sleeps).toEqual([]);
  });

  it('GIVEN the event a record produces is too large for the broker WHEN processed THEN the record is dead-lettered, not retried', async () => {
    const { handler, deadLetters, clock } = setup({
      handle: async () => {
        throw tooLarge();
      },
    });
    const response = await handler(
      mskEvent([{ topic: 'billing_outcome', value: paidOutcome('a') }]),
      lambdaContext(30_000),
    );
    expect(failures(response)).toEqual([]);
    expect((deadLetters[0]!.event as { reason: string }).reason).toMatch(/MESSAGE_TOO_LARGE/);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('kafkaBatchHandler with publishes sent per destination partition', () => {
  /** Destination partition of an event: the digit after the order id's first letter (`a1` -> 1). */
  const route = async (events: readonly OutgoingEvent[]) => events.map((e) => Number(e.key!.slice(1)));

  it('GIVEN one shared sender WHEN the publishes to destination partition 1 fail THEN the records publishing elsewhere succeed and only those publishing to 1 are handed back', async () => {
    const sent: string[] = [];
    const sender = new CoalescingSender(route, async (_topic, partition, events) => {
      if (partition === 1) throw leaderNotAvailable();
      sent.push(...events.map((e) => e.key!));
    });
    const handler = kafkaBatchHandler({
      consumer: 'test-consumer',
      eventTypes: ['BillingOutcome'],
      partialBatchResponse: true,
      deadLetters: sender,
      handle: (event) => sender.publish([{ topic: 'shipping', key: orderIdOf(event), event }]),
    });

    const response = await handler(mskEvent([paid(0, 'a1'), paid(0, 'a2'), paid(1, 'b2'), paid(1, 'b0')]));

    expect(failures(response)).toEqual(['billing_outcome-0@0', 'billing_outcome-0@1']);
    expect(sent.sort()).toEqual(['a2', 'b0', 'b2']);
  });

  it('GIVEN a destination partition whose leader never answers WHEN an invocation publishes events and dead letters THEN the others complete, and only the records publishing to it are handed back, before the function times out', async () => {
    const sent: string[] = [];
    const sender = new CoalescingSender(route, async (_topic, partition, events) => {
      if (partition === 2) return new Promise<void>(() => undefined);
      sent.push(...events.map((e) => (e.topic === 'dead_letter' ? `dead:${e.key}` : e.key!)));
    });
    const handler = kafkaBatchHandler({
      consumer: 'test-consumer',
      eventTypes: ['BillingOutcome'],
      partialBatchResponse: true,
      // Publishes get the remaining time less the margin: 1.5 s - 1.2 s = 0.3 s.
      retryPolicy: { baseDelayMs: 10, maxDelayMs: 50, safetyMarginMs: 1_200 },
      deadLetters: sender,
      handle: async (event) => {
        const orderId = orderIdOf(event);
        if (orderId.startsWith('x')) throw new PoisonRecordError('not for us');
        await sender.publish([{ topic: 'shipping', key: orderId, event }]);
      },
    });
    const started = Date.now();

    const response = await handler(
      mskEvent([paid(0, 'a0'), paid(0, 'a2'), paid(1, 'b1'), paid(2, 'c2'), paid(3, 'x1'), paid(4, 'x2')]),
      lambdaContext(1_500),
    );

    // a2 (offset 1 of partition 0), c2 and the dead letter of x2 went to the hung partition 2.
    expect(failures(response)).toEqual(['billing_outcome-0@1', 'billing_outcome-2@0', 'billing_outcome-4@0']);
    expect(sent.sort()).toEqual(['a0', 'b1', 'dead:x1']);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
