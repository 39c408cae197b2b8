import { CoalescingSender } from '../../../lambdas/shared/kafka/coalescing-sender';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';

const event = (key: string): OutgoingEvent =>
  ({ topic: 'orders', key, event: { event_id: key } }) as unknown as OutgoingEvent;
const keys = (events: readonly OutgoingEvent[]) => events.map((e) => e.key ?? '');

/** A send that records each request and completes when the test releases it. */
function fakeSend(fail: (events: readonly OutgoingEvent[]) => boolean = () => false) {
  const sends: string[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (events: readonly OutgoingEvent[]) => {
    sends.push(keys(events));
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    if (fail(events)) throw new Error(`broker rejected ${keys(events).join(',')}`);
  };
  return { send, sends, maxInFlight: () => maxInFlight };
}

describe('CoalescingSender', () => {
  it('GIVEN publishes from several records in one tick WHEN sent THEN they go out in one request, in call order, and each caller is acknowledged', async () => {
    const fake = fakeSend();
    const sender = new CoalescingSender(fake.send);

    await Promise.all([sender.publish([event('a1'), event('a2')]), sender.publish([event('b1')]), sender.publish([])]);

    expect(fake.sends).toEqual([['a1', 'a2', 'b1']]);
  });

  it('GIVEN publishes made while a send is in flight WHEN sent THEN they wait for it and go out together in the next request', async () => {
    const fake = fakeSend();
    const sender = new CoalescingSender(fake.send);

    const first = sender.publish([event('a')]);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all([first, sender.publish([event('b')]), sender.publish([event('c')])]);

    expect(fake.sends).toEqual([['a'], ['b', 'c']]);
    expect(fake.maxInFlight()).toBe(1);
  });

  it('GIVEN a combined request that fails for one caller WHEN sent THEN only that caller fails and the others are acknowledged', async () => {
    const fake = fakeSend((events) => keys(events).includes('bad'));
    const sender = new CoalescingSender(fake.send);

    const results = await Promise.allSettled([
      sender.publish([event('a')]),
      sender.publish([event('bad')]),
      sender.publish([event('c')]),
    ]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(fake.sends).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('GIVEN more events than one request carries WHEN sent THEN they are split between whole callers', async () => {
    const fake = fakeSend();
    const sender = new CoalescingSender(fake.send, 3);

    await Promise.all([
      sender.publish([event('a1'), event('a2')]),
      sender.publish([event('b1')]),
      sender.publish([event('c1'), event('c2')]),
      sender.publish([event('d1'), event('d2'), event('d3'), event('d4')]),
    ]);

    expect(fake.sends).toEqual([
      ['a1', 'a2', 'b1'],
      ['c1', 'c2'],
      ['d1', 'd2', 'd3', 'd4'],
    ]);
  });
});
