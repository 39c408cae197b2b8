import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { outboxRelayConsumer } from '../../../lambdas/outbox-relay/outbox-relay-consumer';
import { DYNAMODB_COSTS } from '../../../lambdas/shared/contracts/dynamodb-costs';
import { TOPIC_SCHEMAS } from '../../../lambdas/shared/contracts/events';
import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';
import { failing, throttling } from '../../support/doubles/faults';
import { InMemoryOutboxStore } from '../../support/doubles/outbox';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { deployedHandler } from '../../support/deployed-handler';
import { loadEvent } from '../../support/msk';

const outboxInsert = () => loadEvent<DynamoDBStreamEvent>('outbox-insert.json');
const payloads = (event: DynamoDBStreamEvent) =>
  event.Records.map((r) => JSON.parse(r.dynamodb!.NewImage!.payload!.S!));
const sequence = (event: DynamoDBStreamEvent, index: number) => event.Records[index]!.dynamodb!.SequenceNumber!;

/** A broker stand-in: records what was acknowledged; fails the publishes whose event_id is listed. */
function fakeBroker(failOn: string[] = []) {
  const publisher = new RecordingPublisher();
  publisher.failOn = (e) => failOn.includes(e.event.event_id);
  return { publisher, published: publisher.published };
}

describe('outbox-relay consumer', () => {
  it('GIVEN the sample INSERTs WHEN relayed THEN each committed event is published to its topic, keyed by order_id, in stream order', async () => {
    const { publisher, published } = fakeBroker();
    const event = outboxInsert();

    const response = await outboxRelayConsumer(publisher, new InMemoryOutboxStore())(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published.map((p) => p.event)).toEqual(payloads(event));
    for (const p of published) {
      expect(p.topic).toBe('orders');
      expect(p.key).toBe((p.event as { order_id: string }).order_id);
      expect(TOPIC_SCHEMAS.orders.safeParse(p.event).success).toBe(true);
    }
  });

  it('GIVEN the sample INSERTs WHEN relayed THEN they go out in one send', async () => {
    const { publisher } = fakeBroker();
    const publish = jest.spyOn(publisher, 'publish');

    await outboxRelayConsumer(publisher, new InMemoryOutboxStore())(outboxInsert());

    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('GIVEN a send that fails WHEN relayed THEN the batch is reported from its first record and nothing is marked', async () => {
    const event = outboxInsert();
    const { publisher, published } = fakeBroker([payloads(event)[1].event_id]);
    const outbox = new InMemoryOutboxStore();

    const response = await outboxRelayConsumer(publisher, outbox)(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(event, 0) }] });
    expect(published).toHaveLength(0);
    expect(outbox.marks).toBe(0);
  });

  it('GIVEN a malformed item in the middle WHEN relayed THEN the records before it are published and marked, and it is reported', async () => {
    const event = outboxInsert();
    event.Records[1]!.dynamodb!.NewImage!.payload = { S: '{"event_type":' };
    const { publisher, published } = fakeBroker();
    const outbox = new InMemoryOutboxStore();

    const response = await outboxRelayConsumer(publisher, outbox)(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(event, 1) }] });
    expect(published.map((p) => p.event.event_id)).toEqual([payloads(outboxInsert())[0].event_id]);
    expect(outbox.marks).toBe(1);
  });

  it('GIVEN the failed batch retried from the reported record WHEN relayed THEN the rest goes out in order', async () => {
    const event = outboxInsert();
    const { publisher, published } = fakeBroker();
    const retried = { Records: event.Records.slice(1) };

    expect(await outboxRelayConsumer(publisher, new InMemoryOutboxStore())(retried)).toEqual({ batchItemFailures: [] });
    expect(published.map((p) => p.event.event_id)).toEqual(
      payloads(event)
        .slice(1)
        .map((p) => p.event_id),
    );
  });

  it('GIVEN published events WHEN relayed THEN each outbox entry is marked published, and only after its publish', async () => {
    const event = outboxInsert();
    event.Records[1]!.dynamodb!.NewImage!.payload = { S: 'not json' };
    const ids = event.Records.map((r) => r.dynamodb!.NewImage!.event_id!.S!);
    const { publisher } = fakeBroker();
    const outbox = new InMemoryOutboxStore();
    for (const record of event.Records) {
      const image = record.dynamodb!.NewImage!;
      outbox.entries.set(image.event_id!.S!, { event_id: image.event_id!.S!, unpublished: 'pending' });
    }

    await outboxRelayConsumer(publisher, outbox, () => new Date('2026-11-29T10:00:00Z'))(event);

    expect(outbox.entries.get(ids[0])).toEqual({ event_id: ids[0], published_at: '2026-11-29T10:00:00.000Z' });
    expect(outbox.entries.get(ids[1])).toEqual({ event_id: ids[1], unpublished: 'pending' });
  });

  it('GIVEN the mark fails after a publish WHEN relayed THEN the record is not failed (the sweeper publishes it once more), the rest go on', async () => {
    const event = outboxInsert();
    const { publisher, published } = fakeBroker();
    const outbox = new InMemoryOutboxStore();
    outbox.fault = failing(throttling(), { operation: 'markPublished' });

    const response = await outboxRelayConsumer(publisher, outbox)(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published).toHaveLength(payloads(event).length);
  });

  it('GIVEN REMOVE records from TTL expiry WHEN relayed THEN they are not published', async () => {
    const event = outboxInsert();
    event.Records[0]!.eventName = 'REMOVE';
    const { publisher, published } = fakeBroker();

    await outboxRelayConsumer(publisher, new InMemoryOutboxStore())(event);

    expect(published).toHaveLength(event.Records.length - 1);
  });

  it('GIVEN an outbox item whose payload is not JSON WHEN relayed THEN it is reported as failed, never skipped', async () => {
    const event = outboxInsert();
    event.Records[0]!.dynamodb!.NewImage!.payload = { S: '{"event_type":' };
    const { publisher, published } = fakeBroker();

    const response = await outboxRelayConsumer(publisher, new InMemoryOutboxStore())(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(event, 0) }] });
    expect(published).toHaveLength(0);
  });
});

const handle = deployedHandler('outboxRelay', () => import('../../../lambdas/outbox-relay/handler'));

describe('outbox-relay handler.ts (middy chain, configuration from the environment)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the deployed handler WHEN invoked like Lambda THEN it publishes the batch through the Kafka publisher in one call and marks it with one TransactWriteItems', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    const publish = jest.spyOn(KafkaEventPublisher.prototype, 'publish').mockResolvedValue();
    const event = outboxInsert();

    const response = await handle(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(publish.mock.calls.map(([events]) => events.map((e) => e.event))).toEqual([payloads(event)]);
    expect(ddb.calls().map((c) => c.args[0].constructor.name)).toEqual(['TransactWriteCommand']);
    expect(DYNAMODB_COSTS.outboxRelay(event.Records.length).requests * event.Records.length).toBe(ddb.calls().length);
    ddb.restore();
  });
});
