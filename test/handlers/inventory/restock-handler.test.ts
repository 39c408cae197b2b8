import './inventory-env';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { restockMarkerKey } from '../../../lambdas/restock/adapters/dynamodb-stock-levels';
import { handler, lambdaHandler } from '../../../lambdas/restock/handler';
import * as kafkaPublisher from '../../../lambdas/shared/kafka/kafka-publisher';
import { loadEvent } from '../../support/msk';
import type { RecordingPublisher } from '../../unit/inventory/fakes';
import { fakeStockTables } from './fake-stock-tables';

// The deployed handler, wired from its environment, with the Kafka producer swapped for a recorder.
jest.mock('../../../lambdas/shared/kafka/kafka-publisher', () => {
  const actual = jest.requireActual('../../../lambdas/shared/kafka/kafka-publisher');
  const { RecordingPublisher } = jest.requireActual('../../unit/inventory/fakes');
  const recorder = new RecordingPublisher();
  return { ...actual, KafkaEventPublisher: jest.fn(() => recorder), recorder };
});
const recorder = (kafkaPublisher as unknown as { recorder: RecordingPublisher }).recorder;

const ddb = mockClient(DynamoDBDocumentClient);
const context = {
  functionName: 'restock',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

beforeEach(() => {
  ddb.reset();
  recorder.published.length = 0;
});

describe('restock handler', () => {
  it('GIVEN events/restock.json WHEN invoked THEN one transaction records the restock_id and adds the units, and a positive StockChanged is published', async () => {
    const { stock, markers } = fakeStockTables(ddb);

    const outcome = await handler(loadEvent('restock.json'), context);

    expect(outcome).toMatchObject({
      restock_id: 'delivery-2025-04-07-0001',
      product_id: 'limited-edition',
      quantity: 24,
      applied: true,
    });
    expect(ddb.calls()).toHaveLength(1);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems![1]!.Update).toMatchObject({
      TableName: 'stock',
      Key: { product_id: 'limited-edition' },
    });
    expect([...markers.keys()]).toEqual([restockMarkerKey('delivery-2025-04-07-0001')]);
    expect(stock.get('limited-edition')!.available).toBe(25);
    expect(recorder.published).toEqual([
      {
        topic: 'inventory',
        key: 'limited-edition',
        event: expect.objectContaining({
          event_type: 'StockChanged',
          product_id: 'limited-edition',
          quantity_change: 24,
        }),
      },
    ]);
  });

  it('GIVEN the same restock invoked 3 times WHEN handled THEN the units are added once and the identical event is published each time', async () => {
    const { stock } = fakeStockTables(ddb);

    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await lambdaHandler(loadEvent('restock.json')));

    expect(outcomes.map((o) => o.applied)).toEqual([true, false, false]);
    expect(stock.get('limited-edition')!.available).toBe(25);
    expect(recorder.published).toHaveLength(3);
    expect(new Set(recorder.published.map((p) => JSON.stringify(p.event))).size).toBe(1);
  });

  it('GIVEN a restock for a product with no stock item yet WHEN invoked THEN the item is created with those units', async () => {
    const { stock } = fakeStockTables(ddb);

    await lambdaHandler({ restock_id: 'r-new', product_id: 'brand-new', quantity: 3 });

    expect(stock.get('brand-new')!.available).toBe(3);
  });

  it('GIVEN an invalid request WHEN invoked THEN the invocation fails with every problem named and nothing is written', async () => {
    fakeStockTables(ddb);

    await expect(lambdaHandler({ restock_id: '', product_id: 'abc', quantity: -1 })).rejects.toThrow(
      'Invalid restock request: restock_id: Too small: expected string to have >=1 characters; quantity: Too small: expected number to be >0',
    );
    expect(ddb.calls()).toHaveLength(0);
    expect(recorder.published).toEqual([]);
  });

  it('GIVEN DynamoDB throttles the transaction WHEN invoked THEN the invocation fails so the caller retries, and nothing is published', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(lambdaHandler(loadEvent('restock.json'))).rejects.toThrow('slow down');
    expect(recorder.published).toEqual([]);
  });
});
