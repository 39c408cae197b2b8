import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordKey, TOPIC_SCHEMAS, type AnyEvent } from '../../../lambdas/shared/contracts/events';
import { TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { decodeRecord } from '../../../lambdas/shared/kafka/msk-event';
import type { MSKEvent } from 'aws-lambda';

/**
 * Events already written to Kafka by the first version of the contract. A schema change that makes
 * any of them unreadable breaks every consumer replaying the topic, so it must fail here.
 */
const v1Events = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'v1-events.json'), 'utf8')) as Record<
  TopicName,
  AnyEvent[]
>;

describe('event schemas', () => {
  it('GIVEN a fixture for every topic WHEN checked THEN no topic is left without a compatibility fixture', () => {
    expect(Object.keys(v1Events).sort()).toEqual(
      Object.values(TOPICS)
        .map((t) => t.name)
        .sort(),
    );
  });

  it.each(Object.entries(v1Events).flatMap(([topic, events]) => events.map((e) => [topic, e.event_type, e] as const)))(
    'GIVEN a v1 %s %s event WHEN parsed with the current schema THEN it is still accepted',
    (topic, _type, event) => {
      const parsed = TOPIC_SCHEMAS[topic as TopicName].safeParse(event);
      expect(parsed.success ? 'ok' : parsed.error.issues).toBe('ok');
    },
  );

  it('GIVEN events of one order WHEN keyed THEN every order topic uses the order_id so they share a partition', () => {
    for (const topic of ['orders', 'billing_outcome', 'inventory_outcome', 'shipping'] as const) {
      for (const event of v1Events[topic])
        expect(recordKey<TopicName>(topic, event)).toBe((event as { order_id: string }).order_id);
    }
    expect(recordKey<TopicName>('inventory', v1Events.inventory[0]!)).toBe('abc');
    expect(recordKey<TopicName>('clicks', v1Events.clicks[0]!)).toBe('123');
  });

  it('GIVEN a dead letter WHEN keyed THEN it keeps its source record key, as Lambda keeps it on its on-failure records', () => {
    const deadLetter = v1Events.dead_letter[0] as { source: { key: string | null } };
    const withKey = { ...deadLetter, source: { ...deadLetter.source, key: Buffer.from('order-7').toString('base64') } };
    expect(recordKey<TopicName>('dead_letter', withKey as AnyEvent)).toBe('order-7');
    expect(
      recordKey<TopicName>('dead_letter', { ...deadLetter, source: { ...deadLetter.source, key: null } } as AnyEvent),
    ).toBeNull();
  });
});

const EVENTS_DIR = join(__dirname, '..', '..', '..', 'events');
const kafkaSamples = readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, event: JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as MSKEvent }))
  .filter(({ event }) => event.eventSource === 'aws:kafka');

describe('sample MSK events in events/', () => {
  it('GIVEN the events folder WHEN listed THEN it holds MSK samples', () => {
    expect(kafkaSamples.length).toBeGreaterThan(0);
  });

  it.each(kafkaSamples.map((s) => [s.file, s.event] as const))(
    'GIVEN %s WHEN every record is decoded THEN it is shaped like Lambda delivers it and valid, unless the file is a poison sample',
    (file, event) => {
      const outcomes: string[] = [];
      for (const [topicPartition, records] of Object.entries(event.records)) {
        for (const record of records) {
          expect(topicPartition).toBe(`${record.topic}-${record.partition}`);
          expect(typeof record.offset).toBe('number');
          expect(Array.isArray(record.headers)).toBe(true);
          try {
            decodeRecord(record);
            outcomes.push('ok');
          } catch (error) {
            outcomes.push((error as Error).message);
          }
        }
      }
      const invalid = outcomes.filter((o) => o !== 'ok');
      const isPoisonSample = file.includes('poison');
      expect({ file, invalid: isPoisonSample ? invalid.length > 0 : invalid }).toEqual({
        file,
        invalid: isPoisonSample ? true : [],
      });
    },
  );
});
