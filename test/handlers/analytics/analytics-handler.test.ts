import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ANALYTICS_KEYS, PRODUCT_VIEWS_PREFIX } from '../../../lambdas/shared/analytics/analytics-keys';
import { loadEvent, mskEvent } from '../../support/msk';
import { InMemoryTable } from '../../support/doubles/analytics';
import { deployedHandler } from '../../support/deployed-handler';

jest.mock(
  '../../../lambdas/shared/kafka/kafka-publisher',
  () => jest.requireActual('../../support/recording-kafka-publisher').kafkaPublisherModule,
);

const ddb = mockClient(DynamoDBDocumentClient);
const handle = deployedHandler('analytics', () => import('../../../lambdas/analytics/handler'));

function backedBy(table: InMemoryTable): void {
  ddb.reset();
  ddb.on(TransactWriteCommand).callsFake((input) => table.asClient().send({ input } as never));
}

describe('analytics handler.ts', () => {
  it('GIVEN analytics-clicks.json (a click written twice) WHEN handled THEN two clicks are counted, in ANALYTICS_TABLE, one transaction each', async () => {
    const table = new InMemoryTable();
    backedBy(table);

    const response = await handle(loadEvent('analytics-clicks.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(3);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![0]!.Put!.TableName).toBe(
      'analytics',
    );
    expect(table.totals()).toMatchObject({ clicks: 2 });
    expect(table.get(ANALYTICS_KEYS.product('def'))).toMatchObject({ views: 1 });
  });

  it('GIVEN inventory-paid.json (a paid outcome) WHEN handled twice THEN its lines count once towards conversion', async () => {
    const table = new InMemoryTable();
    backedBy(table);

    await handle(loadEvent('inventory-paid.json'));
    await handle(loadEvent('inventory-paid.json'));

    expect(table.get(ANALYTICS_KEYS.product('abc'))).toMatchObject({ paid_orders: 1, units_sold: 2 });
    expect(table.totals()).toMatchObject({ paid_orders: 1 });
  });

  it('GIVEN dead letters of both kinds WHEN handled twice THEN each counts once, and a record that is not a DeadLetter is not dead-lettered again', async () => {
    const table = new InMemoryTable();
    backedBy(table);
    const event: MSKEvent = mskEvent([
      { topic: 'dead_letter', partition: 0, key: 'o-1', value: { event_type: 'DeadLetter', event_id: 'dl-1' } },
      { topic: 'dead_letter', partition: 0, key: 'o-2', value: 'not json: Lambda on-failure record' },
    ]);

    expect(await handle(structuredClone(event))).toEqual({ batchItemFailures: [] });
    await handle(structuredClone(event));

    expect(table.totals()).toMatchObject({ dead_letters: 2 });
    expect(table.get(ANALYTICS_KEYS.deadLetter('dl-1'))).toBeDefined();
  });

  it('GIVEN DynamoDB throttling the first count of a dead letter WHEN handled THEN it is waited out within the invocation and counted once', async () => {
    const table = new InMemoryTable();
    backedBy(table);
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
      name: 'ThrottlingException',
    });
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(throttled)
      .callsFake((input) => table.asClient().send({ input } as never));
    const event = mskEvent([
      { topic: 'dead_letter', partition: 0, key: 'o-1', value: { event_type: 'DeadLetter', event_id: 'dl-2' } },
    ]);

    expect(await handle(event)).toEqual({ batchItemFailures: [] });

    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
    expect(table.totals()).toMatchObject({ dead_letters: 1 });
  });

  it('GIVEN a click of the current minute WHEN handled THEN it counts in that minute for its product', async () => {
    const table = new InMemoryTable();
    backedBy(table);
    const now = new Date();
    const click = {
      event_type: 'Click',
      event_id: 'e-now',
      user_id: 'u',
      product_id: 'p',
      timestamp: now.toISOString(),
    };

    await handle(mskEvent([{ topic: 'clicks', key: 'u', value: click }]));

    const minute = table.minuteWindow(now.toISOString().slice(0, 16));
    expect(minute).toMatchObject({ views: 1, [PRODUCT_VIEWS_PREFIX + 'p']: 1 });
  });
});
