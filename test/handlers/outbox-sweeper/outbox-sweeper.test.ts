import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { sweepOutbox } from '../../../lambdas/outbox-sweeper/sweep-outbox';
import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';
import { outboxEntryFor } from '../../../lambdas/shared/orders/outbox';
import { failing, throttling } from '../../support/doubles/faults';
import { InMemoryOutboxStore } from '../../support/doubles/outbox';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { deployedHandler } from '../../support/deployed-handler';
import { loadEvent } from '../../support/msk';
import { orderCreated } from '../../support/events';

const NOW = new Date('2026-11-29T12:00:00Z');
const TEN_MINUTES = 600_000;

const created = (orderId: string) => orderCreated({ order_id: orderId, timestamp: NOW.toISOString() });
const entry = (orderId: string, minutesAgo: number) =>
  outboxEntryFor('orders', created(orderId), new Date(NOW.getTime() - minutesAgo * 60_000));

function setup() {
  const outbox = new InMemoryOutboxStore();
  const publisher = new RecordingPublisher();
  return { outbox, publisher, deps: { outbox, publisher, now: () => NOW } };
}

describe('outbox sweeper', () => {
  it('GIVEN an entry unmarked for longer than the threshold and a fresh one WHEN swept THEN only the old one is published, keyed by order_id, and marked', async () => {
    const { outbox, publisher, deps } = setup();
    outbox.add(entry('stranded', 30), entry('in-flight', 1));

    const report = await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });

    expect(report).toEqual({ found: 1, republished: ['evt-stranded'], failed: [] });
    expect(publisher.published).toEqual([{ topic: 'orders', key: 'stranded', event: created('stranded') }]);
    expect(outbox.entries.get('evt-stranded')).toMatchObject({ published_at: NOW.toISOString() });
    expect(outbox.entries.get('evt-stranded')).not.toHaveProperty('unpublished');
    expect(outbox.entries.get('evt-in-flight')).toHaveProperty('unpublished', 'pending');
  });

  it('GIVEN entries the relay marked WHEN swept, twice THEN nothing is published again', async () => {
    const { outbox, publisher, deps } = setup();
    outbox.add(entry('relayed', 30), entry('stranded', 30));
    await outbox.markPublished(['evt-relayed'], NOW);

    await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });
    const second = await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });

    expect(publisher.published.map((p) => p.event.event_id)).toEqual(['evt-stranded']);
    expect(second).toEqual({ found: 0, republished: [], failed: [] });
  });

  it('GIVEN a publish that fails for one entry WHEN swept THEN the others are published and it stays unmarked for the next run', async () => {
    const { outbox, publisher, deps } = setup();
    outbox.add(entry('a', 40), entry('b', 30), entry('c', 20));
    publisher.failOn = (e) => e.event.event_id === 'evt-b';

    const report = await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });

    expect(report.republished).toEqual(['evt-a', 'evt-c']);
    expect(report.failed.map((f) => f.event_id)).toEqual(['evt-b']);
    expect(outbox.entries.get('evt-b')).toHaveProperty('unpublished', 'pending');
  });

  it('GIVEN a malformed entry WHEN swept THEN it is reported with the reason, not published', async () => {
    const { outbox, publisher, deps } = setup();
    outbox.add({ ...entry('broken', 30), payload: '{"event_type":' });

    const report = await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });

    expect(report.failed).toEqual([{ event_id: 'evt-broken', reason: expect.stringMatching(/payload is not JSON/) }]);
    expect(publisher.published).toHaveLength(0);
  });

  it('GIVEN more stranded entries than the limit WHEN swept THEN the oldest go first and the next run takes the rest', async () => {
    const { outbox, publisher, deps } = setup();
    outbox.add(entry('third', 20), entry('first', 40), entry('second', 30));

    await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 2 });
    await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 2 });

    expect(publisher.published.map((p) => p.key)).toEqual(['first', 'second', 'third']);
  });

  it('GIVEN the mark fails after a publish WHEN swept again THEN the entry is published once more (consumers recognise its event id)', async () => {
    const { outbox, publisher, deps } = setup();
    outbox.add(entry('stranded', 30));
    outbox.fault = failing(throttling(), { operation: 'markPublished' });

    const first = await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });
    outbox.fault = () => undefined;
    await sweepOutbox(deps, { olderThanMs: TEN_MINUTES, limit: 100 });

    expect(first.failed).toHaveLength(1);
    expect(publisher.published.map((p) => p.event.event_id)).toEqual(['evt-stranded', 'evt-stranded']);
    expect(outbox.entries.get('evt-stranded')).not.toHaveProperty('unpublished');
  });
});

const handle = deployedHandler('outboxSweeper', () => import('../../../lambdas/outbox-sweeper/handler'));

describe('outbox-sweeper handler.ts (middy chain, configuration from the environment)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the scheduled event WHEN invoked like Lambda THEN it queries the sparse index for entries older than the threshold, publishes and marks them', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(QueryCommand).resolves({ Items: [entry('stranded', 30)] });
    ddb.on(UpdateCommand).resolves({});
    const publish = jest.spyOn(KafkaEventPublisher.prototype, 'publish').mockResolvedValue();

    const before = Date.now();
    const report = await handle(loadEvent<ScheduledEvent>('outbox-sweeper-schedule.json'));

    const after = Date.now();

    expect(report).toMatchObject({ found: 1, republished: ['evt-stranded'] });
    expect(publish).toHaveBeenCalledTimes(1);
    const query = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({ TableName: 'outbox', IndexName: 'unpublished' });
    const cutoff = Date.parse(query.ExpressionAttributeValues![':before'] as string);
    expect(cutoff).toBeGreaterThanOrEqual(before - 600_000);
    expect(cutoff).toBeLessThanOrEqual(after - 600_000);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.Key).toEqual({ event_id: 'evt-stranded' });
    ddb.restore();
  });
});
