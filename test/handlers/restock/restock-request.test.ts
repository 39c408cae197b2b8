import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { restockRequest } from '../../../lambdas/restock/restock-request';
import { DEMO_STOCK } from '../../../lambdas/restock/seed';
import { TABLES } from '../../../lambdas/shared/contracts/tables';
import { failing, throttling } from '../../support/doubles/faults';
import { lambdaContext } from '../../support/doubles/lambda-context';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryStockStore } from '../../support/doubles/stock';
import { coldStart } from '../../support/function-env';
import { recorder } from '../../support/recording-kafka-publisher';
import { loadEvent } from '../../support/msk';
import { publishedStockChange } from '../../support/events';

// The deployed handler, wired from its environment, with the Kafka producer swapped for a recorder.
jest.mock(
  '../../../lambdas/shared/kafka/kafka-publisher',
  () => jest.requireActual('../../support/recording-kafka-publisher').kafkaPublisherModule,
);

function setup() {
  const stock = new InMemoryStockStore(Object.fromEntries(DEMO_STOCK.map((p) => [p.product_id, p.available])));
  const restock = jest.spyOn(stock, 'restock');
  const publisher = new RecordingPublisher();
  const request = restockRequest({ stock, publisher, now: () => new Date('2025-04-07T12:40:00.000Z') });
  return { stock, restock, publisher, request };
}

describe('restock request', () => {
  it('GIVEN events/restock.json WHEN invoked THEN one atomic write records the restock_id and adds the units, and a positive StockChanged is published', async () => {
    const { stock, restock, publisher, request } = setup();

    const outcome = await request(loadEvent('restock.json'));

    expect(outcome).toMatchObject({
      restock_id: 'delivery-2025-04-07-0001',
      product_id: 'limited-edition',
      quantity: 24,
      applied: true,
    });
    expect(restock).toHaveBeenCalledTimes(1);
    expect([...stock.restocks.keys()]).toEqual(['delivery-2025-04-07-0001']);
    expect(stock.available.get('limited-edition')).toBe(25);
    expect(publisher.published).toEqual([publishedStockChange('limited-edition', 24)]);
  });

  it('GIVEN the same restock invoked 3 times WHEN handled THEN the units are added once and the identical event is published each time', async () => {
    const { stock, publisher, request } = setup();

    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await request(loadEvent('restock.json')));

    expect(outcomes.map((o) => o.applied)).toEqual([true, false, false]);
    expect(stock.available.get('limited-edition')).toBe(25);
    expect(publisher.published).toHaveLength(3);
    expect(new Set(publisher.published.map((p) => JSON.stringify(p.event))).size).toBe(1);
  });

  it('GIVEN a restock for a product with no stock item yet WHEN invoked THEN the item is created with those units', async () => {
    const { stock, request } = setup();

    await request({ restock_id: 'r-new', product_id: 'brand-new', quantity: 3 });

    expect(stock.available.get('brand-new')).toBe(3);
  });

  it('GIVEN an invalid request WHEN invoked THEN the invocation fails with every problem named and nothing is written', async () => {
    const { restock, publisher, request } = setup();

    await expect(request({ restock_id: '', product_id: 'abc', quantity: -1 })).rejects.toThrow(
      'Invalid restock request: restock_id: Too small: expected string to have >=1 characters; quantity: Too small: expected number to be >0',
    );
    expect(restock).not.toHaveBeenCalled();
    expect(publisher.published).toEqual([]);
  });

  it('GIVEN DynamoDB throttles the write WHEN invoked THEN the invocation fails so the caller retries, and nothing is published', async () => {
    const { stock, publisher, request } = setup();
    stock.fault = failing(throttling());

    await expect(request(loadEvent('restock.json'))).rejects.toThrow('Throughput exceeds the current capacity');
    expect(publisher.published).toEqual([]);
  });
});

describe('restock handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the deployed handler WHEN invoked with events/restock.json THEN it restocks through STOCK_TABLE and publishes the StockChanged', async () => {
    const { handler } = await coldStart('restock', () => import('../../../lambdas/restock/handler'));
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(TransactWriteCommand).resolves({});

    const outcome = await handler(loadEvent('restock.json'), lambdaContext('restock'));

    expect(outcome).toMatchObject({ product_id: 'limited-edition', applied: true });
    const [marker, update] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect([marker!.Put!.TableName, update!.Update!.TableName]).toEqual([
      process.env[TABLES.stock.envVar],
      process.env[TABLES.stock.envVar],
    ]);
    expect(recorder.published.map((p) => [p.topic, p.event.event_type])).toEqual([['inventory', 'StockChanged']]);
    ddb.restore();
  });
});
