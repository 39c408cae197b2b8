import { kafkaBatchHandler } from '../../../lambdas/shared/kafka/batch';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { PoisonRecordError } from '../../../lambdas/shared/errors';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import type { RecordContext } from '../../../lambdas/shared/kafka/msk-event';
import { DEFAULT_RETRY_POLICY } from '../../../lambdas/shared/kafka/retry-budget';
import { batchUnderTest, mskEvent, paidOutcome } from '../../support/msk';

const outcome = paidOutcome;

function setup(options: { failOn?: Record<string, Error>; partialBatchResponse?: boolean; deadLetterError?: Error }) {
  const handled: string[] = [];
  const deadLetters: OutgoingEvent[] = [];
  const handler = kafkaBatchHandler({
    consumer: 'test-consumer',
    eventTypes: ['BillingOutcome'],
    partialBatchResponse: options.partialBatchResponse ?? true,
    now: () => new Date('2025-04-07T13:00:00Z'),
    deadLetters: {
      publish: async (events) => {
        if (options.deadLetterError) throw options.deadLetterError;
        deadLetters.push(...events);
      },
    },
    handle: async (event: AnyEvent) => {
      const orderId = (event as { order_id: string }).order_id;
      const error = options.failOn?.[orderId];
      if (error) throw error;
      handled.push(orderId);
    },
  });
  return { handler, handled, deadLetters };
}

describe('kafkaBatchHandler', () => {
  it('GIVEN a poison record in the middle of a partition WHEN processed THEN it is dead-lettered with its reason and the records behind it are processed', async () => {
    const { handler, handled, deadLetters } = setup({});
    const event = mskEvent([
      { topic: 'billing_outcome', key: 'a', value: outcome('a') },
      { topic: 'billing_outcome', key: 'b', value: '{not json' },
      { topic: 'billing_outcome', key: 'c', value: outcome('c') },
    ]);

    const response = await handler(event);

    expect(response.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['a', 'c']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]!.topic).toBe('dead_letter');
    expect(deadLetters[0]!.event).toMatchObject({
      event_type: 'DeadLetter',
      consumer: 'test-consumer',
      reason: expect.stringMatching(/not UTF-8 JSON/),
      source: { topic: 'billing_outcome', partition: 0, offset: 1, value: Buffer.from('{not json').toString('base64') },
    });
  });

  it('GIVEN a business rule that rejects a record for good WHEN processed THEN the record is dead-lettered with that reason', async () => {
    const { handler, deadLetters } = setup({ failOn: { b: new PoisonRecordError('unknown order b') } });
    await handler(mskEvent([{ topic: 'billing_outcome', value: outcome('b') }]));
    expect(deadLetters.map((d) => (d.event as { reason: string }).reason)).toEqual(['unknown order b']);
  });

  it('GIVEN the same poison record delivered twice WHEN processed THEN both dead letters carry the same event_id', async () => {
    const { handler, deadLetters } = setup({});
    const event = mskEvent([{ topic: 'billing_outcome', value: 'nope' }]);
    await handler(structuredClone(event));
    await handler(structuredClone(event));
    expect(deadLetters[0]!.event.event_id).toBe(deadLetters[1]!.event.event_id);
  });

  it('GIVEN a transient failure WHEN processed THEN the failed record and the rest of its partition are reported and other partitions flow on', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const { handler, handled } = setup({ failOn: { b: throttled } });
    const event = mskEvent([
      { topic: 'billing_outcome', partition: 0, value: outcome('a') },
      { topic: 'billing_outcome', partition: 0, value: outcome('b') },
      { topic: 'billing_outcome', partition: 0, value: outcome('c') },
      { topic: 'billing_outcome', partition: 1, value: outcome('d') },
    ]);

    const response = await handler(event);

    expect(handled.sort()).toEqual(['a', 'd']);
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'billing_outcome-0', offset: 1 } },
      { itemIdentifier: { partition: 'billing_outcome-0', offset: 2 } },
    ]);
  });

  it('GIVEN partial batch responses are off WHEN a record fails transiently THEN the invocation throws so that Lambda retries the batch', async () => {
    const { handler } = setup({ failOn: { a: new Error('broker unavailable') }, partialBatchResponse: false });
    await expect(handler(mskEvent([{ topic: 'billing_outcome', value: outcome('a') }]))).rejects.toThrow(
      /1 record\(s\) failed transiently/,
    );
  });

  it('GIVEN the dead-letter topic is unreachable WHEN a poison record arrives THEN it is retried, never dropped', async () => {
    const { handler } = setup({ deadLetterError: new Error('broker unavailable') });
    const response = await handler(mskEvent([{ topic: 'billing_outcome', value: 'nope' }]));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'billing_outcome-0', offset: 0 } }]);
  });
});

describe('kafkaBatchHandler hooks: event types, raw records, the invocation', () => {
  const seen: RecordContext[] = [];
  const { handler, deadLettered: published } = batchUnderTest({
    handle: async (_event, context) => void seen.push(context),
    raw: {
      topics: ['dead_letter'],
      handle: async (context) => {
        if (context.record.value === Buffer.from('cannot count').toString('base64')) {
          throw new PoisonRecordError('cannot count this one');
        }
        seen.push(context);
      },
    },
  });
  beforeEach(() => {
    published.length = 0;
    seen.length = 0;
  });

  it('GIVEN an event of a type the consumer does not declare WHEN processed THEN it is dead-lettered with that reason, as by every consumer', async () => {
    const shipped = {
      event_type: 'ShipmentDispatched',
      event_id: 'e',
      order_id: 'o',
      shipment_id: 's',
      timestamp: 'T',
    };
    await handler(mskEvent([{ topic: 'shipping', value: { ...shipped, timestamp: '2025-04-07T12:00:00Z' } }]));

    expect(seen).toEqual([]);
    expect(published.map((d) => (d.event as { reason: string }).reason)).toEqual([
      'test-consumer does not consume ShipmentDispatched events (topic shipping)',
    ]);
  });

  it('GIVEN a raw topic WHEN a record that is no event at all arrives THEN the raw handler gets it undecoded, with its position', async () => {
    await handler(mskEvent([{ topic: 'dead_letter', partition: 2, offset: 9, value: '{"requestContext":{}}' }]));

    expect(published).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ topic: 'dead_letter', partition: 2, offset: 9 });
    expect(Buffer.from(seen[0]!.record.value as string, 'base64').toString()).toBe('{"requestContext":{}}');
  });

  it('GIVEN a record of the dead-letter topic that can never be processed WHEN handled THEN it alone is skipped with its reason and never dead-lettered again', async () => {
    const response = await handler(
      mskEvent([
        { topic: 'dead_letter', offset: 0, value: 'cannot count' },
        { topic: 'dead_letter', offset: 1, value: 'fine' },
      ]),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(published).toEqual([]);
    expect(seen.map((c) => c.offset)).toEqual([1]);
  });

  it("GIVEN a Lambda context WHEN a record is handled THEN its context names the invocation's request id, its end and the loop's margin", async () => {
    const before = Date.now();
    await handler(mskEvent([{ topic: 'billing_outcome', value: outcome('a') }]), {
      awsRequestId: 'req-42',
      getRemainingTimeInMillis: () => 30_000,
    });

    const { invocation } = seen[0]!;
    expect(invocation.requestId).toBe('req-42');
    expect(invocation.safetyMarginMs).toBe(DEFAULT_RETRY_POLICY.safetyMarginMs);
    expect(invocation.endsAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(invocation.endsAt).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(invocation.remainingMs()).toBeLessThanOrEqual(30_000);
  });
});
