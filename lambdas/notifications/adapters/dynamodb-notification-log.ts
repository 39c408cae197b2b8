import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed, returnedItem } from '../../shared/dynamodb';
import { CLAIM_LEASE_MS, type Claim, type NotificationLog } from '../ports';

interface NotificationRecord {
  readonly notification_id: string;
  readonly status: 'sending' | 'sent';
  readonly claimed_at: number;
  readonly attempt: number;
}

/**
 * The send log in DynamoDB (TABLES.notifications). A claim is one conditional Put: the record is
 * absent, or still `sending` with its lease run out (a crash after the claim). A failed condition
 * returns the record, so "sent" and "in flight" need no second read.
 */
export class DynamoDbNotificationLog implements NotificationLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(notificationId: string, now: Date): Promise<Claim> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { notification_id: notificationId },
          UpdateExpression: 'SET #status = :sending, claimed_at = :now ADD attempt :one',
          ConditionExpression: 'attribute_not_exists(notification_id) OR (#status = :sending AND claimed_at < :expired)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'sending',
            ':now': now.getTime(),
            ':expired': now.getTime() - CLAIM_LEASE_MS,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', attempt: (Attributes as NotificationRecord).attempt };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return returnedItem<NotificationRecord>(error)?.status === 'sent' ? { kind: 'sent' } : { kind: 'in-flight' };
    }
  }

  async complete(notificationId: string, providerMessageId: string, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { notification_id: notificationId, status: 'sent', message_id: providerMessageId, sent_at: at.toISOString() },
      }),
    );
  }
}
