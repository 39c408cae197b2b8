import './notifications-env';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { handler } from '../../../lambdas/notifications/handler';
import { loadEvent } from '../../support/msk';

jest.mock('../../../lambdas/shared/kafka/kafka-publisher', () => {
  const actual = jest.requireActual('../../../lambdas/shared/kafka/kafka-publisher');
  const { RecordingPublisher } = jest.requireActual('../../support/doubles/publisher');
  return { ...actual, KafkaEventPublisher: jest.fn(() => new RecordingPublisher()) };
});

const ddb = mockClient(DynamoDBDocumentClient);
// The SES v2 client the handler builds at load time: the same one that sends in AWS.
const ses = mockClient(SESv2Client);
const context = {
  functionName: 'notifications',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

describe('notifications handler.ts (SES v2 transport)', () => {
  it('GIVEN notifications-billing-outcome.json (one paid outcome, written twice) WHEN handled THEN one confirmation goes to the customer through SES', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-message-1' });
    const sent = new Set<string>();
    ddb.on(UpdateCommand).callsFake((input: { Key: { notification_id: string } }) => {
      const id = input.Key.notification_id;
      if (sent.has(id)) {
        throw new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: marshall({ notification_id: id, status: 'sent' }),
        });
      }
      return { Attributes: { notification_id: id, status: 'sending', attempt: 1 } };
    });
    ddb
      .on(TransactWriteCommand)
      .callsFake((input: { TransactItems: { Update?: { Key: { notification_id: string } } }[] }) => {
        sent.add(input.TransactItems[0]!.Update!.Key.notification_id);
        return {};
      });
    ddb.on(GetCommand, { TableName: 'orders' }).resolves({
      Item: {
        order_id: '12345',
        user_id: '123',
        items: [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }],
        amount: 99,
        currency: 'USD',
        payment_method: 'credit_card',
        created_at: '2025-04-07T12:34:56Z',
        history: [],
      },
    });

    const response = await handler(loadEvent('notifications-billing-outcome.json'), context);

    expect(response).toEqual({ batchItemFailures: [] });
    const sends = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      FromEmailAddress: 'shop@example.com',
      Destination: { ToAddresses: ['123@example.com'] },
      ConfigurationSetName: 'order-pipeline-dev-notifications',
      Content: { Simple: { Subject: { Data: 'Your order is confirmed (order 12345)' } } },
      EmailTags: [{ Name: 'notification', Value: '12345_confirmed' }],
    });
    const [completion] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);
    // Completion is an Update of the claim (its claim attributes stay): the record is what it sets, under its key.
    const { Key, ExpressionAttributeNames, ExpressionAttributeValues } = completion![0]!.Update!;
    const record = {
      ...Key,
      ...Object.fromEntries(
        Object.entries(ExpressionAttributeNames!)
          .filter(([placeholder]) => placeholder.startsWith('#f'))
          .map(([placeholder, name]) => [name, ExpressionAttributeValues![`:${placeholder.slice(1)}`]]),
      ),
    };
    expect(record).toMatchObject({
      notification_id: '12345#confirmed',
      message_id: 'ses-message-1',
    });
    // The emails-sent counter moves in the same transaction, in ANALYTICS_TABLE.
    expect(completion![1]!.Update).toMatchObject({
      TableName: 'analytics',
      ExpressionAttributeNames: { '#c0': 'emails_sent' },
    });
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.TableName).toBe('notifications');
    // The sent record lists the email for operators (the dashboard), without its address or body.
    expect(record).toEqual({
      notification_id: '12345#confirmed',
      status: 'sent',
      sent_list: 'sent',
      order_id: '12345',
      change: 'confirmed',
      subject: 'Your order is confirmed (order 12345)',
      message_id: expect.any(String),
      sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });
});
