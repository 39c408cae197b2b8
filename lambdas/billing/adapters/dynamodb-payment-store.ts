import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, putIfAbsent, requireExisting } from '../../shared/dynamodb';
import type { ChargeClaim, LedgerEntry, Payment } from '../payment';
import type { ChargeCompletion, Completion, PaymentStore, RefundClaim, RefundCompletion } from '../ports';

/**
 * The payment ledger in DynamoDB (TABLES.payments, partition key order_id). Every write is ONE
 * round trip: a conditional write that returns the existing item on a failed condition
 * (ReturnValuesOnConditionCheckFailure ALL_OLD), so "already done" needs no second read.
 */
export class DynamoDbPaymentStore implements PaymentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimCharge(claim: ChargeClaim): Promise<{ kind: 'claimed' | 'existing'; entry: LedgerEntry }> {
    const put = await putIfAbsent<LedgerEntry>(this.client, this.tableName, claim, 'order_id');
    return put.kind === 'written' ? { kind: 'claimed', entry: claim } : { kind: 'existing', entry: put.existing };
  }

  completeCharge(orderId: string, completion: ChargeCompletion): Promise<Completion> {
    return this.complete(orderId, completion, 'payment_status = :requested', 'charge_requested');
  }

  async claimRefund(orderId: string, reason: string, at: string): Promise<RefundClaim> {
    const write = await conditionalWrite<LedgerEntry>(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { order_id: orderId },
          UpdateExpression: 'SET refund_status = :requested, refund_requested_at = :at, refund_reason = :reason',
          // Also false when the item does not exist, so a refund never creates a ledger entry.
          ConditionExpression: 'payment_status = :paid AND attribute_not_exists(refund_status)',
          ExpressionAttributeValues: {
            ':at': at,
            ':reason': reason,
            ':paid': 'paid',
            ':requested': 'refund_requested',
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (write.kind === 'written') {
      return { kind: 'claimed', payment: write.attributes as Payment & { refund_status: 'refund_requested' } };
    }
    const old = write.existing;
    if (old?.payment_status === 'paid' && old.refund_status !== undefined) {
      return { kind: 'existing', payment: { ...old, refund_status: old.refund_status } };
    }
    return { kind: 'not-refundable', payment: old };
  }

  completeRefund(orderId: string, completion: RefundCompletion): Promise<Completion> {
    return this.complete(orderId, completion, 'refund_status = :requested', 'refund_requested');
  }

  async openClaims(requestedBefore: string): Promise<LedgerEntry[]> {
    // An operator's command over the whole ledger, paginated; an hourly schedule at most, not a hot path.
    const entries: LedgerEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression:
            '(payment_status = :charge AND requested_at < :before) OR ' +
            '(refund_status = :refund AND refund_requested_at < :before)',
          ExpressionAttributeValues: {
            ':charge': 'charge_requested',
            ':refund': 'refund_requested',
            ':before': requestedBefore,
          },
          ExclusiveStartKey,
        }),
      );
      entries.push(...((page.Items ?? []) as LedgerEntry[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return entries;
  }

  /** One conditional Update that completes a claim; a lost race returns the winner's entry (ALL_OLD). */
  private async complete(
    orderId: string,
    completion: ChargeCompletion | RefundCompletion,
    condition: string,
    requested: string,
  ): Promise<Completion> {
    const fields = Object.entries(completion).filter(([, value]) => value !== undefined);
    const write = await conditionalWrite<Payment>(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { order_id: orderId },
          UpdateExpression: `SET ${fields.map(([name]) => `#${name} = :${name}`).join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries(fields.map(([name]) => [`#${name}`, name])),
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])),
            ':requested': requested,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (write.kind === 'written') return { kind: 'completed', payment: write.attributes! };
    return { kind: 'already-completed', payment: requireExisting(write.existing, orderId) };
  }
}
