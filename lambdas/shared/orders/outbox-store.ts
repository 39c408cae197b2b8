import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLES } from '../contracts/tables';
import { cancellationReasons } from '../dynamodb';
import { OUTBOX_UNPUBLISHED } from './outbox';

/** The outbox table as the relay and the sweeper see it: mark an entry published, find the unmarked ones. */
export interface OutboxStore {
  /** Marks the entries published; an entry TTL has already removed stays removed. */
  markPublished(eventIds: readonly string[], at: Date): Promise<void>;
  /** Unmarked entries created before `createdBefore`, oldest first, at most `limit`. */
  unpublished(createdBefore: Date, limit: number): Promise<readonly Readonly<Record<string, unknown>>[]>;
}

const index = TABLES.outbox.sparseIndex;
/** TransactWriteItems takes at most 100 actions. */
const MAX_TRANSACTION_ITEMS = 100;

export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * One UpdateItem for one entry; one TransactWriteItems per 100 entries (its limit) for more, a round
   * trip per relayed batch instead of per event, at twice the write units of single updates.
   */
  async markPublished(eventIds: readonly string[], at: Date): Promise<void> {
    for (let start = 0; start < eventIds.length; start += MAX_TRANSACTION_ITEMS) {
      let pending = eventIds.slice(start, start + MAX_TRANSACTION_ITEMS);
      while (pending.length > 0) {
        try {
          if (pending.length === 1) await this.client.send(new UpdateCommand(this.mark(pending[0]!, at)));
          else
            await this.client.send(
              new TransactWriteCommand({ TransactItems: pending.map((id) => ({ Update: this.mark(id, at) })) }),
            );
          break;
        } catch (error) {
          // Without the condition an update would create a stub item for an entry TTL deleted.
          if (error instanceof ConditionalCheckFailedException) break;
          // A deleted entry cancels the whole transaction: mark the others again without it.
          const reasons = cancellationReasons(error);
          if (!reasons?.some((r) => r.Code === 'ConditionalCheckFailed')) throw error;
          pending = pending.filter((_, i) => reasons[i]?.Code !== 'ConditionalCheckFailed');
        }
      }
    }
  }

  private mark(eventId: string, at: Date) {
    return {
      TableName: this.tableName,
      Key: { [TABLES.outbox.partitionKey]: eventId },
      // Removing the index key takes the entry out of the sparse index.
      UpdateExpression: 'SET published_at = if_not_exists(published_at, :at) REMOVE #unpublished',
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#id': TABLES.outbox.partitionKey, '#unpublished': index.partitionKey },
      ExpressionAttributeValues: { ':at': at.toISOString() },
    };
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
