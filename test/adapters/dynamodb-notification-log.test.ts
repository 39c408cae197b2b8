import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbOperationsReader } from '../../lambdas/analytics-api/adapters/dynamodb-analytics-reader';
import { DynamoDbNotificationLog } from '../../lambdas/notifications/adapters/dynamodb-notification-log';
import type { SentEmail } from '../../lambdas/shared/notifications/sent-email';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryNotificationLog } from '../support/doubles/notifications';

const client = localDocumentClient();
afterAll(() => client.destroy());

const T = Date.parse('2026-11-28T12:00:00Z');
const at = (ms: number) => new Date(T + ms);
const sentEmail = (orderId: string, sentAt: Date): SentEmail => ({
  order_id: orderId,
  change: 'confirmed',
  subject: `Your order is confirmed (order ${orderId})`,
  message_id: `<${orderId}@test>`,
  sent_at: sentAt.toISOString(),
});

// The same cases hold the in-memory double, which the unit and handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbNotificationLog on DynamoDB Local',
    log: new DynamoDbNotificationLog(client, table('notifications'), table('analytics')),
  },
  { name: 'InMemoryNotificationLog', log: new InMemoryNotificationLog() },
])('$name', ({ log }) => {
  const A = 'request-a/billing_outcome-0@7';
  const B = 'request-b/inventory_outcome-2@3';

  it('GIVEN no record WHEN a delivery claims it THEN it is claimed as the first attempt', async () => {
    expect(await log.claim(uniqueId('n'), A, at(0), T + 30_000)).toEqual({ kind: 'claimed', attempt: 1 });
  });

  it("GIVEN a claim WHEN another delivery claims it before the claimer's deadline THEN it is in flight until that deadline", async () => {
    const id = uniqueId('n');
    await log.claim(id, A, at(0), T + 30_000);

    expect(await log.claim(id, B, at(10_000), T + 40_000)).toEqual({ kind: 'in-flight', leaseUntil: T + 30_000 });
  });

  it('GIVEN a live claim WHEN the same delivery claims it again (a retry within its invocation) THEN it is its own to send', async () => {
    const id = uniqueId('n');
    await log.claim(id, A, at(0), T + 30_000);

    expect(await log.claim(id, A, at(2_000), T + 30_000)).toEqual({ kind: 'claimed', attempt: 2 });
    expect(await log.claim(id, B, at(3_000), T + 40_000)).toEqual({ kind: 'in-flight', leaseUntil: T + 30_000 });
  });

  it('GIVEN a claim whose claimer never completed WHEN claimed after its deadline THEN the new delivery takes it over', async () => {
    const id = uniqueId('n');
    await log.claim(id, A, at(0), T + 30_000);

    expect(await log.claim(id, B, at(30_001), T + 60_001)).toEqual({ kind: 'claimed', attempt: 2 });
    expect(await log.claim(id, A, at(30_002), T + 30_000)).toEqual({ kind: 'in-flight', leaseUntil: T + 60_001 });
  });

  it("GIVEN a live claim WHEN its delivery releases it without sending THEN another delivery takes it at once; another's release changes nothing", async () => {
    const id = uniqueId('n');
    await log.claim(id, A, at(0), T + 30_000);
    await log.release(id, B);
    expect(await log.claim(id, B, at(1_000), T + 40_000)).toEqual({ kind: 'in-flight', leaseUntil: T + 30_000 });

    await log.release(id, A);

    expect(await log.claim(id, B, at(2_000), T + 40_000)).toEqual({ kind: 'claimed', attempt: 2 });
    await log.release(id, A);
    expect(await log.claim(id, A, at(3_000), T + 50_000)).toEqual({ kind: 'in-flight', leaseUntil: T + 40_000 });
  });

  it('GIVEN a completed send WHEN the change is claimed again, even much later or by the same delivery THEN it is sent already', async () => {
    const id = uniqueId('n');
    await log.claim(id, A, at(0), T + 30_000);
    await log.complete(id, sentEmail(id, at(1_000)));

    expect(await log.claim(id, A, at(2_000), T + 30_000)).toEqual({ kind: 'sent' });
    expect(await log.claim(id, B, at(3_600_000), T + 3_630_000)).toEqual({ kind: 'sent' });
  });
});

describe('DynamoDbNotificationLog: unanswered sends', () => {
  it("GIVEN a claim WHEN its owner records an unanswered send, another delivery tries to, and the owner completes THEN the sent record keeps the owner's one unanswered send", async () => {
    const log = new DynamoDbNotificationLog(client, table('notifications'), table('analytics'));
    const id = `${uniqueId('o')}#confirmed`;
    await log.claim(id, 'r/p-0@0', at(0), T + 30_000);

    await log.recordUnansweredSend(id, 'r/p-0@0');
    await log.recordUnansweredSend(id, 'other/p-1@4');
    await log.complete(id, sentEmail(id, at(1_000)));

    const { Item } = await client.send(
      new GetCommand({ TableName: table('notifications'), Key: { notification_id: id } }),
    );
    expect(Item).toMatchObject({ status: 'sent', unanswered_sends: 1, attempt: 1, message_id: `<${id}@test>` });
  });

  it('GIVEN a sent record WHEN an unanswered send is recorded for it THEN nothing changes', async () => {
    const log = new DynamoDbNotificationLog(client, table('notifications'), table('analytics'));
    const id = `${uniqueId('o')}#shipped`;
    await log.claim(id, 'r/p-0@0', at(0), T + 30_000);
    await log.complete(id, sentEmail(id, at(1_000)));

    await log.recordUnansweredSend(id, 'r/p-0@0');

    const { Item } = await client.send(
      new GetCommand({ TableName: table('notifications'), Key: { notification_id: id } }),
    );
    expect(Item?.unanswered_sends).toBeUndefined();
  });
});

describe('the send log as the analytics API lists it (DynamoDbOperationsReader)', () => {
  it('GIVEN emails completed, one of them twice (two deliveries that both sent), and one still being sent WHEN the summary reads the log THEN it counts each sent one once and lists the newest first, without the in-flight one', async () => {
    const log = new DynamoDbNotificationLog(client, table('notifications'), table('analytics'));
    const reader = new DynamoDbOperationsReader(client, {
      analyticsTable: table('analytics'),
      notificationsTable: table('notifications'),
    });
    // Sent far in the future, so that they are the newest in a table other tests write to as well.
    const future = Date.parse('2099-01-01T00:00:00Z');
    const orders = [uniqueId('o'), uniqueId('o'), uniqueId('o')];
    const before = await reader.notificationsSent(2);
    for (const [i, orderId] of orders.entries()) {
      await log.claim(`${orderId}#confirmed`, 'r/p-0@0', at(0), T + 30_000);
      await log.complete(`${orderId}#confirmed`, sentEmail(orderId, new Date(future + i * 1_000)));
    }
    await log.complete(`${orders[0]}#confirmed`, { ...sentEmail(orders[0]!, at(5_000)), message_id: '<second@test>' });
    await log.claim(`${uniqueId('o')}#confirmed`, 'r/p-0@1', at(0), T + 30_000);

    const after = await reader.notificationsSent(2);

    expect(after.sent - before.sent).toBe(3);
    expect(after.latest).toEqual(
      [2, 1].map((i) => {
        const { message_id: _, ...listed } = sentEmail(orders[i]!, new Date(future + i * 1_000));
        return listed;
      }),
    );
  });
});
