import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed } from '../../shared/dynamodb';
import type { Reservation, StockLine } from '../reservation';
import type { AppliedRestock, ReserveAttempt, StockLevels, StockStore } from '../stock-store';

export interface StockTables {
  /** TABLES.stock: partition key product_id, attribute `available` (number). */
  readonly stock: string;
  /** TABLES.reservations: partition key order_id. */
  readonly reservations: string;
}

/**
 * Stock and reservations in DynamoDB. Every method is ONE round trip. Stock never goes below zero
 * (I2) because every decrement is conditional on `available >= quantity` inside the same
 * transaction as the reservation, and a reservation is written at most once per order.
 */
export class DynamoDbStockStore implements StockStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: StockTables,
  ) {}

  async reserve(reservation: Reservation, lines: readonly StockLine[]): Promise<ReserveAttempt> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.reservations,
                Item: reservation,
                ConditionExpression: 'attribute_not_exists(order_id)',
                // The existing decision comes back in the cancellation reasons: no second read to re-emit it.
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...lines.map((line) => ({
              Update: {
                TableName: this.tables.stock,
                Key: { product_id: line.product_id },
                UpdateExpression: 'SET available = available - :quantity',
                // Also false for a product with no stock item: an unknown product is out of stock.
                ConditionExpression: 'available >= :quantity',
                ExpressionAttributeValues: { ':quantity': line.quantity },
              },
            })),
          ],
        }),
      );
      return { kind: 'reserved', reservation };
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
      return cancelledReservation(error as { CancellationReasons?: CancellationReason[] }, reservation, lines);
    }
  }

  async recordRejection(rejection: Reservation): Promise<{ recorded: boolean; reservation: Reservation }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.reservations,
          Item: rejection,
          ConditionExpression: 'attribute_not_exists(order_id)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { recorded: true, reservation: rejection };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return { recorded: false, reservation: returnedItem(error, rejection.order_id) };
    }
  }
}

/** The key of a restock's idempotency marker in the stock table. */
export const restockMarkerKey = (restockId: string): string => `restock#${restockId}`;

/** Stock levels alone (TABLES.stock): the restock path and the demo seed. Each method is one round trip. */
export class DynamoDbStockLevels implements StockLevels {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly stockTable: string,
  ) {}

  /**
   * One TransactWriteItems: a marker item for the restock_id (Put, only if absent) and ADD the units
   * to the product (which creates the product's item if it has none). The marker lives in the stock
   * table under a `restock#` key rather than as a set of applied ids on the product's item: such a set
   * would grow with every restock, and DynamoDB bills every reservation's stock update by item size.
   * Restocks are rare, so the transaction's double write cost stays small. A repeated restock_id
   * cancels the transaction and returns the marker (ALL_OLD) to re-emit from.
   */
  async restock(restock: AppliedRestock): Promise<{ applied: boolean; restock: AppliedRestock }> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
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
          ],
        }),
      );
      return { applied: true, restock };
    } catch (error) {
      const [marker] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
      if (
        (error as { name?: string }).name !== 'TransactionCanceledException' ||
        marker?.Code !== 'ConditionalCheckFailed'
      ) {
        throw error;
      }
      if (!marker.Item) {
        throw new Error(`Restock ${restock.restock_id} exists but the failed condition returned no item`);
      }
      return { applied: false, restock: (unmarshall(marker.Item) as { restock: AppliedRestock }).restock };
    }
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

/**
 * Reads why DynamoDB cancelled the reservation transaction. Reasons are in TransactItems order:
 * index 0 is the reservation Put, then one per stock line.
 * - the reservation exists: an earlier delivery decided; its item came back (ALL_OLD) to re-emit;
 * - only stock conditions failed: out of stock, a final business outcome;
 * - anything else (TransactionConflict with a concurrent writer, throttling, ...): transient, so
 *   rethrow and let the record be retried; deciding "out of stock" then could be wrong.
 */
function cancelledReservation(
  error: { CancellationReasons?: CancellationReason[] },
  reservation: Reservation,
  lines: readonly StockLine[],
): ReserveAttempt {
  const reasons = error.CancellationReasons ?? [];
  const [reservationReason, ...stockReasons] = reasons;
  if (reservationReason?.Code === 'ConditionalCheckFailed') {
    return { kind: 'already-decided', reservation: returnedItem(reservationReason, reservation.order_id) };
  }
  const failed = reasons.filter((r) => r.Code !== undefined && r.Code !== 'None');
  if (failed.length > 0 && failed.every((r) => r.Code === 'ConditionalCheckFailed')) {
    return {
      kind: 'out-of-stock',
      products: lines.filter((_, i) => stockReasons[i]?.Code === 'ConditionalCheckFailed').map((l) => l.product_id),
    };
  }
  throw error;
}

/** The existing item returned by a failed condition (ALL_OLD); DocumentClient leaves it marshalled. */
function returnedItem(source: unknown, orderId: string): Reservation {
  const item = (source as { Item?: Record<string, AttributeValue> }).Item;
  // attribute_not_exists failed, so the item exists: a missing image is a fault, retry the record.
  if (!item) throw new Error(`Reservation for ${orderId} exists but the failed condition returned no item`);
  return unmarshall(item) as Reservation;
}
