import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STOCK_MARKER_PREFIX } from '../../shared/contracts/tables';
import { existingItem, guardedTransaction } from '../../shared/dynamodb';
import type { AppliedRestock, RestockResult, StockLevels } from '../ports';

/** The key of a restock's idempotency marker in the stock table, in a key space no product id may enter. */
export const restockMarkerKey = (restockId: string): string => `${STOCK_MARKER_PREFIX}${restockId}`;

/** Stock levels alone (TABLES.stock): the restock path and the demo seed. Each method is one round trip. */
export class DynamoDbStockLevels implements StockLevels {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly stockTable: string,
  ) {}

  /**
   * One TransactWriteItems: a marker for the restock_id (only if absent) and ADD the units. A
   * repeated restock_id returns the marker (ALL_OLD) to re-emit from (docs/design.md, "Reservation").
   */
  async restock(restock: AppliedRestock): Promise<RestockResult> {
    const write = await guardedTransaction(this.client, [
      {
        Put: {
          TableName: this.stockTable,
          Item: { product_id: restockMarkerKey(restock.restock_id), restock },
          ConditionExpression: 'attribute_not_exists(product_id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: this.stockTable,
          Key: { product_id: restock.product_id },
          UpdateExpression: 'ADD available :quantity',
          ExpressionAttributeValues: { ':quantity': restock.quantity },
        },
      },
    ]);
    if (write.kind === 'written') return { kind: 'applied', restock };
    const marker = existingItem<{ restock: AppliedRestock }>(write.reason, restock.restock_id);
    return { kind: 'already-applied', restock: marker.restock };
  }

  async setAvailable(productId: string, available: number): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.stockTable,
        Key: { product_id: productId },
        UpdateExpression: 'SET available = :available',
        ExpressionAttributeValues: { ':available': available },
      }),
    );
  }
}
