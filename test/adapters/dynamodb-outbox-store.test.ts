import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOutboxStore, type OutboxStore } from '../../lambdas/shared/orders/outbox-store';
import { outboxEntryFor, type OutboxEntry } from '../../lambdas/shared/orders/outbox';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryOutboxStore } from '../support/doubles/outbox';
import { orderCreated } from '../support/events';

const client = localDocumentClient();
const tableName = table('outbox');
afterAll(() => client.destroy());

/** Created in 2001, a minute apart, so that no other test's entries fall before these cutoffs; expiring a week from now (TTL). */
const BASE = Date.parse('2001-01-01T00:00:00Z');
const at = (minute: number) => new Date(BASE + minute * 60_000);
function entry(minute: number): OutboxEntry {
  const orderId = uniqueId('order');
  const made = outboxEntryFor(
    'orders',
    orderCreated({ event_id: uniqueId('evt'), timestamp: at(minute).toISOString(), order_id: orderId }),
    new Date(),
  );
  return { ...made, created_at: at(minute).toISOString() };
}

const inMemory = new InMemoryOutboxStore();

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbOutboxStore on DynamoDB Local',
    store: new DynamoDbOutboxStore(client, tableName) as OutboxStore,
    put: async (e: OutboxEntry) => void (await client.send(new PutCommand({ TableName: tableName, Item: e }))),
    read: async (id: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: { event_id: id }, ConsistentRead: true }))).Item,
  },
  {
    name: 'InMemoryOutboxStore',
    store: inMemory as OutboxStore,
    put: async (e: OutboxEntry) => void inMemory.add(e),
    read: async (id: string) => inMemory.entries.get(id),
  },
])('$name', ({ store, put, read }) => {
  it('GIVEN unmarked entries WHEN listed before a cutoff THEN the older ones come, oldest first, up to the limit; marked ones never', async () => {
    const [first, second, third, late] = [entry(1), entry(2), entry(3), entry(50)];
    for (const e of [third, late, first, second]) await put(e);
    await store.markPublished([second.event_id], new Date());

    const listed = await store.unpublished(at(10), 10);
    const ours = listed
      .map((e) => e.event_id)
      .filter((id) => [first, second, third, late].some((e) => e.event_id === id));

    expect(ours).toEqual([first.event_id, third.event_id]);
    expect((await store.unpublished(at(10), 1)).length).toBe(1);
    expect(listed[0]).toMatchObject({ topic: 'orders', key: first.key, payload: first.payload });
  });

  it('GIVEN an entry WHEN marked twice THEN it leaves the index and keeps its first published_at', async () => {
    const e = entry(5);
    await put(e);

    await store.markPublished([e.event_id], new Date('2026-11-29T10:00:00Z'));
    await store.markPublished([e.event_id], new Date('2026-11-29T11:00:00Z'));

    const item = await read(e.event_id);
    expect(item).toMatchObject({ event_id: e.event_id, published_at: '2026-11-29T10:00:00.000Z' });
    expect(item).not.toHaveProperty('unpublished');
  });

  it('GIVEN an entry TTL already deleted WHEN marked THEN nothing is recreated', async () => {
    const id = uniqueId('evt-gone');

    await store.markPublished([id], new Date());

    expect(await read(id)).toBeUndefined();
  });

  it('GIVEN several entries, one of them TTL-deleted WHEN marked together THEN the others are marked and the deleted one is not recreated', async () => {
    const [first, third] = [entry(21), entry(23)];
    const gone = uniqueId('evt-gone');
    for (const e of [first, third]) await put(e);

    await store.markPublished([first.event_id, gone, third.event_id], new Date('2026-11-29T10:00:00Z'));

    for (const e of [first, third]) {
      expect(await read(e.event_id)).toMatchObject({ published_at: '2026-11-29T10:00:00.000Z' });
      expect(await read(e.event_id)).not.toHaveProperty('unpublished');
    }
    expect(await read(gone)).toBeUndefined();
  });
});
