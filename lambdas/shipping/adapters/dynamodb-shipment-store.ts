import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrderLine } from '../../shared/contracts/events';
import { TABLES } from '../../shared/contracts/tables';
import type { ShipmentStore } from '../ports';
import type { ShipmentFact, ShipmentFacts } from '../shipment';

/** The shipments table item: one per order, one attribute per fact. */
interface ShipmentItem {
  order_id: string;
  shipment_id: string;
  paid_at?: string;
  reserved_at?: string;
  cancelled_at?: string;
  items?: OrderLine[];
}

/**
 * Records a fact with ONE UpdateItem and reads every fact back from the same call (ReturnValues
 * ALL_NEW). `if_not_exists` keeps the first occurrence, so the write needs no condition and never
 * fails on a duplicate: two concurrent deliveries, or a paid and a reserved event racing from two
 * mappings, each set only their own attributes, and DynamoDB applies the updates one after the other,
 * so the later one always sees both facts.
 */
export class DynamoDbShipmentStore implements ShipmentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async applyFact(orderId: string, shipmentId: string, fact: ShipmentFact): Promise<ShipmentFacts> {
    const factAttribute = `${fact.name}_at`;
    const sets = ['#shipment_id = :shipment_id', `#fact = if_not_exists(#fact, :at)`];
    const names: Record<string, string> = { '#shipment_id': 'shipment_id', '#fact': factAttribute };
    const values: Record<string, unknown> = { ':shipment_id': shipmentId, ':at': fact.at };
    if (fact.name === 'paid') {
      sets.push('#items = if_not_exists(#items, :items)');
      names['#items'] = 'items';
      values[':items'] = fact.items;
    }
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { [TABLES.shipments.partitionKey]: orderId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = Attributes as ShipmentItem;
    return {
      orderId: item.order_id,
      shipmentId: item.shipment_id,
      paidAt: item.paid_at,
      reservedAt: item.reserved_at,
      cancelledAt: item.cancelled_at,
      items: item.items,
    };
  }
}
