import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAnalyticsStore } from '../../lambdas/analytics/adapters/dynamodb-analytics-store';
import { ANALYTICS_KEYS, counterShards } from '../../lambdas/shared/analytics/analytics-keys';
import { ANALYTICS_COUNTER_SHARDS } from '../../lambdas/shared/contracts/tables';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';

const client = localDocumentClient();
afterAll(() => client.destroy());

/** A minute of its own per test: the table is shared with other tests, the minute items are not. */
const minuteOfTest = () =>
  `2099-01-01T${String(Math.floor(Math.random() * 24)).padStart(2, '0')}:${String(Math.floor(Math.random() * 60)).padStart(2, '0')}`;

/** The minute's dead-letter counters, summed over its shards as the analytics API reads them. */
async function minuteItem(minute: string) {
  const keys = counterShards((shard) => ANALYTICS_KEYS.minute(minute, shard), ANALYTICS_COUNTER_SHARDS);
  const items = await Promise.all(
    keys.map(async (pk) => (await client.send(new GetCommand({ TableName: table('analytics'), Key: { pk } }))).Item),
  );
  const sum = (name: string) => items.reduce((total, item) => total + Number(item?.[name] ?? 0), 0);
  return { dead_letters: sum('dead_letters'), given_up_behind: sum('given_up_behind') };
}

describe('DynamoDbAnalyticsStore.countDeadLetter on DynamoDB Local', () => {
  const store = new DynamoDbAnalyticsStore(client, table('analytics'));

  it('GIVEN three records of one give-up, one real dead letter and redeliveries, in any order WHEN counted THEN two dead letters and two given up behind', async () => {
    const minute = minuteOfTest();
    const group = uniqueId('give-up');
    const given = [1, 2, 3].map((i) => ({ id: uniqueId(`given-${i}`), minute, givenUp: { group } }));
    const real = { id: uniqueId('real'), minute };

    for (const count of [given[2]!, real, given[0]!, given[2]!, given[1]!, real, given[0]!]) {
      await store.countDeadLetter(count);
    }

    expect(await minuteItem(minute)).toEqual({ dead_letters: 2, given_up_behind: 2 });
  });

  it('GIVEN a crash after the record was counted and before its give-up was WHEN redelivered THEN the give-up is completed, once', async () => {
    const minute = minuteOfTest();
    const count = { id: uniqueId('given'), minute, givenUp: { group: uniqueId('give-up') } };
    let writes = 0;
    const crashing = {
      send: (command: never) => (++writes === 2 ? Promise.reject(new Error('crash')) : client.send(command)),
    } as unknown as DynamoDBDocumentClient;
    await expect(new DynamoDbAnalyticsStore(crashing, table('analytics')).countDeadLetter(count)).rejects.toThrow(
      'crash',
    );
    expect(await minuteItem(minute)).toEqual({ dead_letters: 0, given_up_behind: 1 });

    expect(await store.countDeadLetter(count)).toEqual({ kind: 'duplicate' });
    await store.countDeadLetter(count);

    expect(await minuteItem(minute)).toEqual({ dead_letters: 1, given_up_behind: 0 });
  });
});
