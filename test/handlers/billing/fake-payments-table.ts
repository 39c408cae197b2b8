import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Payment } from '../../../lambdas/billing/payment';

type DocumentClientMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClient['config']>;

/**
 * Answers the payment store's two commands the way DynamoDB does: conditional writes that, on a
 * failed condition, throw ConditionalCheckFailedException carrying the existing item in
 * AttributeValue form (ReturnValuesOnConditionCheckFailure ALL_OLD). It accepts only the exact
 * condition expressions the adapter uses, so a changed condition breaks these tests loudly.
 */
export function fakePaymentsTable(ddb: DocumentClientMock, tableName = 'payments'): Map<string, Payment> {
  const items = new Map<string, Payment>();
  const conditionFailed = (item: Payment | undefined, wantOld: boolean) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      ...(item && wantOld ? { Item: marshall(item, { removeUndefinedValues: true }) } : {}),
    });

  ddb.on(PutCommand, { TableName: tableName }).callsFake(async (input: PutCommand['input']) => {
    expect(input.ConditionExpression).toBe('attribute_not_exists(order_id)');
    const item = input.Item as Payment;
    const existing = items.get(item.order_id);
    if (existing) throw conditionFailed(existing, input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD');
    items.set(item.order_id, structuredClone(item));
    return {};
  });

  ddb.on(UpdateCommand, { TableName: tableName }).callsFake(async (input: UpdateCommand['input']) => {
    expect(input).toMatchObject({
      UpdateExpression: 'SET refunded_at = :at, refund_reason = :reason',
      ConditionExpression: 'payment_status = :paid AND attribute_not_exists(refunded_at)',
      ReturnValues: 'ALL_NEW',
    });
    const values = input.ExpressionAttributeValues!;
    const existing = items.get(input.Key!.order_id as string);
    if (existing === undefined || existing.payment_status !== values[':paid'] || existing.refunded_at !== undefined) {
      throw conditionFailed(existing, input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD');
    }
    const updated = { ...existing, refunded_at: values[':at'] as string, refund_reason: values[':reason'] as string };
    items.set(existing.order_id, updated);
    return { Attributes: structuredClone(updated) };
  });

  return items;
}
