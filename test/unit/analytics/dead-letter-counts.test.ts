import { analyticsConsumer } from '../../../lambdas/analytics/analytics-consumer';
import { deadLetterCount, MAX_PARTITION_KEY_BYTES } from '../../../lambdas/analytics/dead-letters';
import type { AnalyticsStore } from '../../../lambdas/analytics/ports';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { mskEvent } from '../../support/msk';

/** Lambda's on-failure record for one given-up record, as the local runner writes it (local/runtime/runner/on-failure.ts). */
const givenUp = (
  requestId: string | null,
  sourcePartition: number,
  offset: number,
  condition = 'RetriesExhausted',
) => ({
  requestContext: { requestId, functionArn: 'arn:aws:lambda:eu-west-1:1:function:notifications:$LATEST', condition },
  KafkaBatchInfo: { recordInfo: { offset: String(offset) } },
  payload: { records: { [`billing_outcome-${sourcePartition}`]: [{ offset }] } },
});
const recordOf = (value: unknown, offset = 0) =>
  mskEvent([{ topic: 'dead_letter', partition: 1, offset, value }]).records['dead_letter-1']![0]!;

describe('what a record of dead_letter counts as', () => {
  it("GIVEN a function's DeadLetter WHEN counted THEN it is a dead letter under its own event_id", () => {
    expect(deadLetterCount(recordOf({ event_type: 'DeadLetter', event_id: 'dl-1' }))).toEqual({
      id: 'dl-1',
      minute: '2025-04-07T12:34',
    });
  });

  it('GIVEN an event_id longer than a DynamoDB key takes WHEN counted THEN it is counted by its position', () => {
    const count = deadLetterCount(recordOf({ event_id: 'x'.repeat(MAX_PARTITION_KEY_BYTES) }, 4));
    expect(count.id).toBe('dead_letter-1@4');
  });

  it('GIVEN records Lambda gave up in one invocation for one source partition WHEN counted THEN they share one give-up; another partition or request is another', () => {
    const [a, b, otherPartition, otherRequest] = [
      givenUp('req-1', 0, 10),
      givenUp('req-1', 0, 11),
      givenUp('req-1', 1, 10),
      givenUp('req-2', 0, 10),
    ].map((value, offset) => deadLetterCount(recordOf(value, offset)).givenUp?.group);

    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(new Set([a, otherPartition, otherRequest]).size).toBe(3);
  });

  it('GIVEN a record given up for its age, or not JSON WHEN counted THEN it is a dead letter of its own, by position', () => {
    expect(deadLetterCount(recordOf(givenUp(null, 0, 3, 'RecordAgeExceeded'), 5))).toEqual({
      id: 'dead_letter-1@5',
      minute: '2025-04-07T12:34',
    });
    expect(deadLetterCount(recordOf('not json', 6)).givenUp).toBeUndefined();
  });
});

describe('the analytics consumer on dead_letter', () => {
  const validation = () => Object.assign(new Error('key too large'), { name: 'ValidationException', $metadata: {} });

  /** The analytics consumer over a store that refuses the dead-letter counts `refuses` matches. */
  async function countWithRefusals(refuses: (id: string) => boolean) {
    const counted: string[] = [];
    const store: AnalyticsStore = {
      countClick: jest.fn(),
      countPaidOrder: jest.fn(),
      countDeadLetter: async (count) => {
        if (refuses(count.id)) throw validation();
        counted.push(count.id);
        return { kind: 'counted' };
      },
    };
    const publisher = new RecordingPublisher();
    const consumer = analyticsConsumer({ store, publisher, partialBatchResponse: true, now: () => new Date() });
    const response = await consumer(
      mskEvent([
        { topic: 'dead_letter', offset: 0, value: { event_id: 'refused' } },
        { topic: 'dead_letter', offset: 1, value: { event_id: 'fine' } },
      ]),
    );
    return { response, counted, published: publisher.published };
  }

  it('GIVEN a dead letter the store refuses by its id WHEN counted THEN it is counted by position, and the batch goes on', async () => {
    const { response, counted, published } = await countWithRefusals((id) => id === 'refused');

    expect(response.batchItemFailures).toEqual([]);
    expect(counted).toEqual(['dead_letter-0@0', 'fine']);
    expect(published).toEqual([]);
  });

  it('GIVEN a dead letter the store refuses even by position WHEN counted THEN only it is skipped, never dead-lettered, and the others count', async () => {
    const { response, counted, published } = await countWithRefusals((id) => id.endsWith('@0') || id === 'refused');

    expect(response.batchItemFailures).toEqual([]);
    expect(counted).toEqual(['fine']);
    expect(published).toEqual([]);
  });
});
