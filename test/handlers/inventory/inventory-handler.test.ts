import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { TABLES } from '../../../lambdas/shared/contracts/tables';
import * as kafkaPublisher from '../../../lambdas/shared/kafka/kafka-publisher';
import { deployedHandler } from '../../support/deployed-handler';
import { recorder } from '../../support/recording-kafka-publisher';
import { loadEvent } from '../../support/msk';

// The deployed handler, wired from its environment, with the Kafka producer swapped for a recorder.
jest.mock(
  '../../../lambdas/shared/kafka/kafka-publisher',
  () => jest.requireActual('../../support/recording-kafka-publisher').kafkaPublisherModule,
);
const ddb = mockClient(DynamoDBDocumentClient);
const handle = deployedHandler('inventory', () => import('../../../lambdas/inventory/handler'));

describe('inventory handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the deployed handler WHEN invoked with inventory-paid.json THEN it reserves through both tables and answers a partial batch response', async () => {
    ddb.on(TransactWriteCommand).resolves({});

    const response = await handle(loadEvent('inventory-paid.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    const [put, ...updates] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(put!.Put!.TableName).toBe(process.env[TABLES.reservations.envVar]);
    const stockTable = process.env[TABLES.stock.envVar];
    expect(updates.map((u) => u.Update!.TableName)).toEqual([stockTable, stockTable]);
    expect(kafkaPublisher.KafkaEventPublisher).toHaveBeenCalledWith(expect.objectContaining({ clientId: 'inventory' }));
    expect(recorder.published.map((p) => p.event.event_type)).toEqual([
      'StockChanged',
      'StockChanged',
      'StockReserved',
    ]);
  });
});
