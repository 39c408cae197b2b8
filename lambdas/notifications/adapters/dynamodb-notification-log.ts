import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { OPERATIONS_COUNTERS, operationsCounterUpdate } from '../../shared/analytics/operations-counters';
import { SENT_LIST } from '../../shared/contracts/tables';
import { conditionalWrite, guardedTransaction, requireExisting } from '../../shared/dynamodb';
import { placeholderTerms } from '../../shared/dynamodb-expressions';
import type { SentEmail } from '../../shared/notifications/sent-email';
import type { Claim, NotificationLog } from '../ports';

interface NotificationRecord {
  readonly notification_id: string;
  readonly status: 'sending' | 'sent';
  readonly claimed_at: number;
  readonly lease_until: number;
  /** The delivery holding the claim: it may take it again (a retry within the same delivery). */
  readonly claimed_by: string;
  /** Claims taken, a retry within one delivery included. */
  readonly attempt: number;
  /** Sends that went out and got no answer (SendOutcomeUnknownError): each may have sent an email. */
  readonly unanswered_sends?: number;
}

/**
 * The send log in DynamoDB (TABLES.notifications). A claim is one conditional update: the record is
 * absent, or still `sending` and either claimed by the same delivery or past its claimer's deadline
 * (a crash or timeout after the claim). A failed condition returns the record, so "sent" and
 * "in flight" need no second read.
 */
export class DynamoDbNotificationLog implements NotificationLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly analyticsTable: string,
  ) {}

  async claim(notificationId: string, owner: string, now: Date, leaseUntil: number): Promise<Claim> {
    const write = await conditionalWrite<NotificationRecord>(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { notification_id: notificationId },
          UpdateExpression:
            'SET #status = :sending, claimed_at = :now, lease_until = :lease, claimed_by = :owner ADD attempt :one',
          ConditionExpression:
            'attribute_not_exists(notification_id) OR (#status = :sending AND (claimed_by = :owner OR lease_until < :now))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':now': now.getTime(),
            ':lease': leaseUntil,
            ':owner': owner,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (write.kind === 'written') return { kind: 'claimed', attempt: write.attributes!.attempt };
    const existing = requireExisting(write.existing, notificationId);
    return existing.status === 'sent' ? { kind: 'sent' } : { kind: 'in-flight', leaseUntil: existing.lease_until };
  }

  /** Ends the claim's lease now; the condition keeps another delivery's claim, or a sent record, as it is. */
  async release(notificationId: string, owner: string): Promise<void> {
    await this.updateOwnClaim(notificationId, owner, 'SET lease_until = :ended REMOVE claimed_by', { ':ended': 0 });
  }

  /** One more unanswered send on `owner`'s claim; the condition leaves another's claim, or a sent record, as it is. */
  async recordUnansweredSend(notificationId: string, owner: string): Promise<void> {
    await this.updateOwnClaim(notificationId, owner, 'ADD unanswered_sends :one', { ':one': 1 });
  }

  /** Updates the claim only while it is still `sending` and `owner`'s; otherwise changes nothing, and says nothing. */
  private async updateOwnClaim(
    notificationId: string,
    owner: string,
    update: string,
    values: UpdateCommandInput['ExpressionAttributeValues'],
  ): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { notification_id: notificationId },
          UpdateExpression: update,
          ConditionExpression: '#status = :sending AND claimed_by = :owner',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'sending', ':owner': owner, ...values },
        }),
      ),
    );
  }

  /**
   * The claim becomes the sent record (its claim attributes, `unanswered_sends` among them, stay),
   * unless a record is already `sent` (two deliveries that both sent, the first one's lease having
   * run out: the first record stays). That transition from claim to sent moves the dashboard's count
   * of emails sent in the same transaction, so it counts each notification once. `sent_list` puts
   * the record in the `sent` index the analytics API lists the latest from (DynamoDbOperationsReader).
   */
  async complete(notificationId: string, sent: SentEmail): Promise<void> {
    const fields = placeholderTerms('f', { ...sent, status: 'sent', sent_list: SENT_LIST }, 'SET');
    // A record already `sent` fails the condition: the transaction changes nothing, counter included.
    await guardedTransaction(this.client, [
      {
        Update: {
          TableName: this.tableName,
          Key: { notification_id: notificationId },
          UpdateExpression: `SET ${fields.terms.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(notification_id) OR #status <> :sent',
          ExpressionAttributeNames: { '#status': 'status', ...fields.names },
          ExpressionAttributeValues: { ':sent': 'sent', ...fields.values },
        },
      },
      operationsCounterUpdate(this.analyticsTable, notificationId, { [OPERATIONS_COUNTERS.emailsSent]: 1 }),
    ]);
  }
}
