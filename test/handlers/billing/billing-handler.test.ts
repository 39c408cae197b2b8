import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
const handle = deployedHandler('billing', () => import('../../../lambdas/billing/handler'));

describe('billing handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the deployed handler WHEN invoked with billing-order-created.json THEN it charges through PAYMENTS_TABLE and answers a partial batch response', async () => {
    ddb.on(PutCommand).resolves({});
    // The completion's ALL_NEW image: the claim that was put, with the completed fields.
    ddb.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => {
      const claim = ddb.commandCalls(PutCommand)[0]!.args[0].input.Item!;
      const values = input.ExpressionAttributeValues;
      const completed = { payment_status: values[':payment_status'], transaction_id: values[':transaction_id'] };
      return { Attributes: { ...claim, ...completed, charged_at: values[':charged_at'] } };
    });

    const response = await handle(loadEvent('billing-order-created.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.TableName).toBe(process.env[TABLES.payments.envVar]);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.TableName).toBe(process.env[TABLES.payments.envVar]);
    expect(kafkaPublisher.KafkaEventPublisher).toHaveBeenCalledWith(
      expect.objectContaining({ clientId: 'billing', auth: 'plaintext', bootstrapBrokers: ['127.0.0.1:9092'] }),
    );
    expect(recorder.published.map((p) => [p.topic, p.event.payment_status])).toEqual([['billing_outcome', 'paid']]);
  });
});
