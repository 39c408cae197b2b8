import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { outboxRelayConsumer } from '../../../lambdas/outbox-relay/outbox-relay-consumer';
import { TOPIC_SCHEMAS } from '../../../lambdas/shared/contracts/events';
import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';
import { lambdaContext } from '../../support/doubles/lambda-context';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { coldStart } from '../../support/function-env';
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

    const response = await outboxRelayConsumer(publisher)(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(published.map((p) => p.event)).toEqual(payloads(event));
    for (const p of published) {
      expect(p.topic).toBe('orders');
      expect(p.key).toBe((p.event as { order_id: string }).order_id);
      expect(TOPIC_SCHEMAS.orders.safeParse(p.event).success).toBe(true);
    }
  });

  it('GIVEN a publish that fails in the middle WHEN relayed THEN that record is reported and nothing behind it is published', async () => {
    const event = outboxInsert();
    const { publisher, published } = fakeBroker([payloads(event)[1].event_id]);

    const response = await outboxRelayConsumer(publisher)(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(event, 1) }] });
    expect(published.map((p) => p.event.event_id)).toEqual([payloads(event)[0].event_id]);
  });

  it('GIVEN the failed batch retried from the reported record WHEN relayed THEN the rest goes out in order', async () => {
    const event = outboxInsert();
    const { publisher, published } = fakeBroker();
    const retried = { Records: event.Records.slice(1) };

    expect(await outboxRelayConsumer(publisher)(retried)).toEqual({ batchItemFailures: [] });
    expect(published.map((p) => p.event.event_id)).toEqual(
      payloads(event)
        .slice(1)
        .map((p) => p.event_id),
    );
  });

  it('GIVEN REMOVE records from TTL expiry WHEN relayed THEN they are not published', async () => {
    const event = outboxInsert();
    event.Records[0]!.eventName = 'REMOVE';
    const { publisher, published } = fakeBroker();

    await outboxRelayConsumer(publisher)(event);

    expect(published).toHaveLength(event.Records.length - 1);
  });

  it('GIVEN an outbox item whose payload is not JSON WHEN relayed THEN it is reported as failed, never skipped', async () => {
    const event = outboxInsert();
    event.Records[0]!.dynamodb!.NewImage!.payload = { S: '{"event_type":' };
    const { publisher, published } = fakeBroker();

    const response = await outboxRelayConsumer(publisher)(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(event, 0) }] });
    expect(published).toHaveLength(0);
  });
});

describe('outbox-relay handler.ts (middy chain, configuration from the environment)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the deployed handler WHEN invoked like Lambda THEN it publishes through the Kafka publisher, with no DynamoDB call', async () => {
    const { handler } = await coldStart('outboxRelay', () => import('../../../lambdas/outbox-relay/handler'));
    const ddb = mockClient(DynamoDBDocumentClient);
    const publish = jest.spyOn(KafkaEventPublisher.prototype, 'publish').mockResolvedValue();
    const event = outboxInsert();

    const response = await handler(event, lambdaContext('outboxRelay'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(publish.mock.calls.map(([events]) => events[0]!.event)).toEqual(payloads(event));
    expect(ddb.calls()).toHaveLength(0);
    ddb.restore();
  });
});
