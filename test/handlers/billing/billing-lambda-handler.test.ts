import './billing-env';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../lambdas/billing/handler';
import * as kafkaPublisher from '../../../lambdas/shared/kafka/kafka-publisher';
import { loadEvent } from '../../support/msk';
import type { RecordingPublisher } from '../../unit/billing/fakes';
import { fakePaymentsTable } from './fake-payments-table';

// The deployed handler, wired from its environment, with the Kafka producer swapped for a recorder.
jest.mock('../../../lambdas/shared/kafka/kafka-publisher', () => {
  const actual = jest.requireActual('../../../lambdas/shared/kafka/kafka-publisher');
  const { RecordingPublisher } = jest.requireActual('../../unit/billing/fakes');
  const recorder = new RecordingPublisher();
  return { ...actual, KafkaEventPublisher: jest.fn(() => recorder), recorder };
});
const recorder = (kafkaPublisher as unknown as { recorder: RecordingPublisher }).recorder;

const ddb = mockClient(DynamoDBDocumentClient);
const context = {
  functionName: 'billing',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:billing',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

describe('billing handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the deployed handler WHEN invoked with billing-order-created.json THEN it charges through PAYMENTS_TABLE and answers a partial batch response', async () => {
    fakePaymentsTable(ddb);

    const response = await handler(loadEvent('billing-order-created.json'), context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.TableName).toBe(process.env.PAYMENTS_TABLE);
    expect(kafkaPublisher.KafkaEventPublisher).toHaveBeenCalledWith(
      expect.objectContaining({ clientId: 'billing', auth: 'plaintext', bootstrapBrokers: ['127.0.0.1:9092'] }),
    );
    expect(recorder.published.map((p) => [p.topic, p.event.payment_status])).toEqual([['billing_outcome', 'paid']]);
  });
});
