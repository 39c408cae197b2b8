import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { existingItem, isConditionalCheckFailed, returnedItem } from '../../shared/dynamodb';
import type { Payment, RefundedPayment } from '../payment';
import type { PaymentStore, RefundClaim } from '../ports';

/**
 * The payment ledger in DynamoDB (TABLES.payments, partition key order_id). Every method is ONE
 * round trip: a conditional write that returns the existing item on a failed condition
 * (ReturnValuesOnConditionCheckFailure ALL_OLD), so "already done" needs no second read.
 */
export class DynamoDbPaymentStore implements PaymentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordCharge(payment: Payment): Promise<{ recorded: boolean; payment: Payment }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: payment,
          ConditionExpression: 'attribute_not_exists(order_id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { recorded: true, payment };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return { recorded: false, payment: existingItem<Payment>(error, payment.order_id) };
    }
  }

  async claimRefund(orderId: string, reason: string, at: string): Promise<RefundClaim> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { order_id: orderId },
          UpdateExpression: 'SET refunded_at = :at, refund_reason = :reason',
          // Also false when the item does not exist, so a refund never creates a ledger entry.
          ConditionExpression: 'payment_status = :paid AND attribute_not_exists(refunded_at)',
          ExpressionAttributeValues: { ':at': at, ':reason': reason, ':paid': 'paid' },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', payment: Attributes as RefundedPayment };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const old = returnedItem<Payment>(error);
      if (old?.payment_status === 'paid' && old.refunded_at !== undefined) {
        return { kind: 'already-refunded', payment: old as RefundedPayment };
      }
      return { kind: 'not-refundable', payment: old };
    }
  }
}
