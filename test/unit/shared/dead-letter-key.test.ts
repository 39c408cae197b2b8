import { DeadLetterSchema, recordKey } from '../../../lambdas/shared/contracts/events';
import { TOPICS } from '../../../lambdas/shared/contracts/topics';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { batchUnderTest, mskEvent } from '../../support/msk';

/** What the batch loop sends to dead_letter for poison records, keyed as the contract says. */
async function deadLettersOf(records: Parameters<typeof mskEvent>[0]): Promise<OutgoingEvent[]> {
  const { handler, deadLettered } = batchUnderTest();
  await handler(mskEvent(records));
  return deadLettered;
}

describe('dead-letter record key', () => {
  it('GIVEN poison records with a UTF-8 key and with none WHEN dead-lettered by the batch loop THEN each is keyed by its source key, as recordKey of the contract says', async () => {
    const published = await deadLettersOf([
      { topic: 'orders', partition: 1, offset: 7, key: 'order-42 ü', value: 'not json' },
      { topic: 'orders', partition: 2, offset: 8, key: null, value: 'not json' },
    ]);

    expect(published.map((p) => [p.topic, p.key])).toEqual([
      [TOPICS.deadLetter.name, 'order-42 ü'],
      [TOPICS.deadLetter.name, null],
    ]);
    for (const p of published) {
      const event = DeadLetterSchema.parse(p.event);
      expect(p.key).toBe(recordKey(TOPICS.deadLetter.name, event));
    }
  });
});
