import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../../shared/orders/order';
import { fromItem } from '../../shared/orders/order-table-item';
import type { OrderLookup } from '../ports';

/** Reads an order from the order service's table (read-only grant): one GetItem. */
export class DynamoDbOrderLookup implements OrderLookup {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string): Promise<Order | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { order_id: orderId }, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }
}
