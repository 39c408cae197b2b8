import { DynamoDbNotificationLog } from '../../lambdas/notifications/adapters/dynamodb-notification-log';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryNotificationLog } from '../support/doubles/notifications';

const client = localDocumentClient();
afterAll(() => client.destroy());

const T = Date.parse('2026-11-28T12:00:00Z');
const at = (ms: number) => new Date(T + ms);

// The same cases hold the in-memory double, which the unit and handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbNotificationLog on DynamoDB Local',
    log: new DynamoDbNotificationLog(client, table('notifications')),
  },
  { name: 'InMemoryNotificationLog', log: new InMemoryNotificationLog() },
])('$name', ({ log }) => {
  it('GIVEN no record WHEN a delivery claims it THEN it is claimed as the first attempt', async () => {
    expect(await log.claim(uniqueId('n'), at(0), T + 30_000)).toEqual({ kind: 'claimed', attempt: 1 });
  });

  it("GIVEN a claim WHEN another delivery claims it before the claimer's deadline THEN it is in flight until that deadline", async () => {
    const id = uniqueId('n');
    await log.claim(id, at(0), T + 30_000);

    expect(await log.claim(id, at(10_000), T + 40_000)).toEqual({ kind: 'in-flight', leaseUntil: T + 30_000 });
  });

  it('GIVEN a claim whose claimer never completed WHEN claimed after its deadline THEN the new delivery takes it over', async () => {
    const id = uniqueId('n');
    await log.claim(id, at(0), T + 30_000);

    expect(await log.claim(id, at(30_001), T + 60_001)).toEqual({ kind: 'claimed', attempt: 2 });
  });

  it('GIVEN a completed send WHEN the change is claimed again, even much later THEN it is sent already', async () => {
    const id = uniqueId('n');
    await log.claim(id, at(0), T + 30_000);
    await log.complete(id, 'msg-1', at(1_000));

    expect(await log.claim(id, at(3_600_000), T + 3_630_000)).toEqual({ kind: 'sent' });
  });
});
