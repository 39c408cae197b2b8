import { CoalescingSender, PublishDeadlineError } from '../../../lambdas/shared/kafka/coalescing-sender';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { classifyError } from '../../../lambdas/shared/errors';

/** An event whose key names its partition: `p1-x` goes to partition 1 of `orders`. */
const event = (key: string, topic = 'orders'): OutgoingEvent =>
  ({ topic, key, event: { event_id: key } }) as unknown as OutgoingEvent;
const keys = (events: readonly OutgoingEvent[]) => events.map((e) => e.key ?? '');
const route = async (events: readonly OutgoingEvent[]) => events.map((e) => Number(/^p(\d+)/.exec(e.key!)?.[1] ?? 0));
const tooLarge = () =>
  new AggregateError([Object.assign(new Error('too large'), { apiId: 'MESSAGE_TOO_LARGE' })], 'produce failed');
const noLeader = () =>
  new AggregateError([Object.assign(new Error('no leader'), { apiId: 'NOT_LEADER_OR_FOLLOWER' })], 'produce failed');

/**
 * A fake transport: records each request as `topic/partition:keys`, answers on the next turn, and
 * never answers for the partitions in `hung` (a leader that stopped answering).
 */
function fakeTransport(
  options: { hung?: number[]; fail?: (events: readonly OutgoingEvent[]) => Error | undefined } = {},
) {
  const sends: string[] = [];
  const inFlight = new Map<number, number>();
  let maxInFlightPerPartition = 0;
  let maxInFlight = 0;
  const send = async (topic: string, partition: number, events: readonly OutgoingEvent[]) => {
    sends.push(`${topic}/${partition}:${keys(events).join(',')}`);
    if (options.hung?.includes(partition)) return new Promise<void>(() => undefined);
    inFlight.set(partition, (inFlight.get(partition) ?? 0) + 1);
    maxInFlightPerPartition = Math.max(maxInFlightPerPartition, inFlight.get(partition)!);
    maxInFlight = Math.max(
      maxInFlight,
      [...inFlight.values()].reduce((a, b) => a + b, 0),
    );
    await new Promise((resolve) => setImmediate(resolve));
    inFlight.set(partition, inFlight.get(partition)! - 1);
    const error = options.fail?.(events);
    if (error) throw error;
  };
  return {
    send,
    sends,
    maxInFlightPerPartition: () => maxInFlightPerPartition,
    maxInFlight: () => maxInFlight,
  };
}

const bound = (ms: number) => {
  const until = Date.now() + ms;
  return { remainingMs: () => until - Date.now() };
};

describe('CoalescingSender', () => {
  it('GIVEN publishes to one partition in one tick WHEN sent THEN they go out in one request, in call order, and each caller is acknowledged', async () => {
    const fake = fakeTransport();
    const sender = new CoalescingSender(route, fake.send);

    await Promise.all([sender.publish([event('a1'), event('a2')]), sender.publish([event('b1')]), sender.publish([])]);

    expect(fake.sends).toEqual(['orders/0:a1,a2,b1']);
  });

  it('GIVEN publishes to one partition made while a send is in flight WHEN sent THEN they wait for it and go out together in the next request', async () => {
    const fake = fakeTransport();
    const sender = new CoalescingSender(route, fake.send);

    const first = sender.publish([event('a')]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([first, sender.publish([event('b')]), sender.publish([event('c')])]);

    expect(fake.sends).toEqual(['orders/0:a', 'orders/0:b,c']);
    expect(fake.maxInFlightPerPartition()).toBe(1);
  });

  it('GIVEN publishes to several partitions and topics WHEN sent THEN each partition gets its own request, all in flight at once', async () => {
    const fake = fakeTransport();
    const sender = new CoalescingSender(route, fake.send);

    await Promise.all([
      sender.publish([event('p0-a'), event('p1-a')]),
      sender.publish([event('p1-b'), event('p2-b', 'shipping')]),
    ]);

    expect(fake.sends.sort()).toEqual(['orders/0:p0-a', 'orders/1:p1-a,p1-b', 'shipping/2:p2-b']);
    expect(fake.maxInFlight()).toBe(3);
    expect(fake.maxInFlightPerPartition()).toBe(1);
  });

  it('GIVEN one partition whose leader never answers WHEN several callers publish with a bound THEN the other partitions are acknowledged and only the callers with events for it fail, at their bound, with a transient error', async () => {
    const fake = fakeTransport({ hung: [3] });
    const sender = new CoalescingSender(route, fake.send);
    const started = Date.now();

    const results = await Promise.allSettled(
      [[event('p0-a')], [event('p3-b')], [event('p1-c'), event('p3-c')], [event('p2-d')]].map(async (events) => {
        await sender.publish(events, bound(200));
        return Date.now() - started;
      }),
    );

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    // The healthy partitions do not wait for the hung one, which fails at the bound, not later.
    const acknowledgedAfterMs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(acknowledgedAfterMs.every((ms) => ms < 200)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    const failure = (results[1] as PromiseRejectedResult).reason as unknown;
    expect(failure).toBeInstanceOf(PublishDeadlineError);
    expect(classifyError(failure).kind).toBe('transient');
    expect(fake.sends.sort()).toEqual(['orders/0:p0-a', 'orders/1:p1-c', 'orders/2:p2-d', 'orders/3:p3-b,p3-c']);
  });

  it('GIVEN a partition still waiting for its leader WHEN a caller past its bound is queued behind it THEN its events are dropped unsent once the queue moves on', async () => {
    let release!: () => void;
    const sends: string[] = [];
    const sender = new CoalescingSender(route, async (_topic, _partition, events) => {
      sends.push(keys(events).join(','));
      if (sends.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });

    const first = sender.publish([event('p1-a')]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const late = sender.publish([event('p1-b')], bound(50));
    await expect(late).rejects.toBeInstanceOf(PublishDeadlineError);
    const next = sender.publish([event('p1-c')]);
    release();
    await Promise.all([first, next]);

    expect(sends).toEqual(['p1-a', 'p1-c']);
  });

  it('GIVEN no time left WHEN a caller publishes THEN it fails at once and nothing is sent', async () => {
    const fake = fakeTransport();
    const sender = new CoalescingSender(route, fake.send);

    await expect(sender.publish([event('a')], { remainingMs: () => 0 })).rejects.toBeInstanceOf(PublishDeadlineError);

    expect(fake.sends).toEqual([]);
  });

  it('GIVEN a combined request the broker refuses for one event too large WHEN sent THEN each caller is sent again on its own, and only that caller fails', async () => {
    const fake = fakeTransport({ fail: (events) => (keys(events).includes('big') ? tooLarge() : undefined) });
    const sender = new CoalescingSender(route, fake.send);

    const results = await Promise.allSettled([
      sender.publish([event('a')]),
      sender.publish([event('big')]),
      sender.publish([event('c')]),
    ]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(fake.sends).toEqual(['orders/0:a,big,c', 'orders/0:a', 'orders/0:big', 'orders/0:c']);
  });

  it('GIVEN a combined request that fails for its partition (no leader) WHEN sent THEN every caller in it fails, none asked again one by one', async () => {
    const fake = fakeTransport({ fail: () => noLeader() });
    const sender = new CoalescingSender(route, fake.send);

    const results = await Promise.allSettled([sender.publish([event('a')]), sender.publish([event('b')])]);

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fake.sends).toEqual(['orders/0:a,b']);
  });

  it('GIVEN partitions that cannot be looked up WHEN a caller publishes THEN it fails with that error', async () => {
    const fake = fakeTransport();
    const sender = new CoalescingSender(async () => {
      throw new Error('Unknown topic orders.');
    }, fake.send);

    await expect(sender.publish([event('a')])).rejects.toThrow('Unknown topic');
    expect(fake.sends).toEqual([]);
  });

  it('GIVEN more events for one partition than one request carries WHEN sent THEN they are split between whole callers', async () => {
    const fake = fakeTransport();
    const sender = new CoalescingSender(route, fake.send, 3);

    await Promise.all([
      sender.publish([event('a1'), event('a2')]),
      sender.publish([event('b1')]),
      sender.publish([event('c1'), event('c2')]),
      sender.publish([event('d1'), event('d2'), event('d3'), event('d4')]),
    ]);

    expect(fake.sends).toEqual(['orders/0:a1,a2,b1', 'orders/0:c1,c2', 'orders/0:d1,d2,d3,d4']);
  });
});
