import './inventory-env';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambdas/inventory/handler';
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
  functionName: 'inventory',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

describe('inventory handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the deployed handler WHEN invoked with inventory-paid.json THEN it reserves through both tables and answers a partial batch response', async () => {
    fakeStockTables(ddb);

    const response = await handler(loadEvent('inventory-paid.json'), context);

    expect(response).toEqual({ batchItemFailures: [] });
    const [put, ...updates] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put!.Put!.TableName).toBe(process.env.RESERVATIONS_TABLE);
    expect(updates.map((u) => u.Update!.TableName)).toEqual([process.env.STOCK_TABLE, process.env.STOCK_TABLE]);
    expect(kafkaPublisher.KafkaEventPublisher).toHaveBeenCalledWith(expect.objectContaining({ clientId: 'inventory' }));
    expect(recorder.published.map((p) => p.event.event_type)).toEqual([
      'StockChanged',
      'StockChanged',
      'StockReserved',
    ]);
  });
});
