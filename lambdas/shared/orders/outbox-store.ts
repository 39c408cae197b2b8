import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../contracts/tables';
import { OUTBOX_UNPUBLISHED } from './outbox';

/** The outbox table as the relay and the sweeper see it: mark an entry published, find the unmarked ones. */
export interface OutboxStore {
  /** Marks the entry published; an entry TTL has already removed stays removed. */
  markPublished(eventId: string, at: Date): Promise<void>;
  /** Unmarked entries created before `createdBefore`, oldest first, at most `limit`. */
  unpublished(createdBefore: Date, limit: number): Promise<readonly Readonly<Record<string, unknown>>[]>;
}

const index = TABLES.outbox.sparseIndex;

export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markPublished(eventId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [TABLES.outbox.partitionKey]: eventId },
          // Removing the index key takes the entry out of the sparse index.
          UpdateExpression: 'SET published_at = if_not_exists(published_at, :at) REMOVE #unpublished',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#id': TABLES.outbox.partitionKey, '#unpublished': index.partitionKey },
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      // Without the condition an update would create a stub item for an entry TTL deleted.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async unpublished(createdBefore: Date, limit: number): Promise<readonly Readonly<Record<string, unknown>>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pending AND #created < :before',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#created': index.sortKey },
          ExpressionAttributeValues: { ':pending': OUTBOX_UNPUBLISHED, ':before': createdBefore.toISOString() },
          Limit: limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items;
  }
}
