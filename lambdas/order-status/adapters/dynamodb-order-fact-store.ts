import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from '../../shared/dynamodb';
import type { HistoryEntry } from '../../shared/orders/order';
import { fromItem } from '../../shared/orders/order-table-item';
import { factAttribute, type OrderFact } from '../../shared/orders/order-status';
import type { OrderFactStore, RecordFactResult } from '../ports';

/** The status projector's store: 1 round trip per record (UpdateItem), duplicates included. */
export class DynamoDbOrderFactStore implements OrderFactStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly ordersTable: string,
  ) {}

  async recordFact(orderId: string, fact: OrderFact, entry: HistoryEntry): Promise<RecordFactResult> {
    // The condition makes the fact and its history line idempotent on (order_id, fact): a second
    // delivery fails the condition and writes nothing. ALL_OLD tells "duplicate" (item returned)
    // from "unknown order" (no item) without a second read; ALL_NEW returns the order for logging.
    const write = await conditionalWrite<Record<string, unknown>>(
      this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { order_id: orderId },
          UpdateExpression: 'SET #fact = :at, #history = list_append(if_not_exists(#history, :empty), :entry)',
          ConditionExpression: 'attribute_exists(order_id) AND attribute_not_exists(#fact)',
          ExpressionAttributeNames: { '#fact': factAttribute(fact), '#history': 'history' },
          ExpressionAttributeValues: { ':at': entry.at, ':entry': [entry], ':empty': [] },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (write.kind === 'written') return { kind: 'recorded', order: fromItem(write.attributes ?? {}) };
    return write.existing ? { kind: 'duplicate', order: fromItem(write.existing) } : { kind: 'unknown-order' };
  }
}
