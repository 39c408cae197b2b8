import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, existingItem, putIfAbsent } from '../../shared/dynamodb';
import type { RejectionResult, ReserveAttempt, StockStore } from '../ports';
import type { Reservation, StockLine } from '../reservation';

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
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw error;
      return cancelledReservation(error, reasons, reservation, lines);
    }
  }

  async recordRejection(rejection: Reservation): Promise<RejectionResult> {
    const put = await putIfAbsent<Reservation>(this.client, this.tables.reservations, rejection, 'order_id');
    return put.kind === 'written'
      ? { kind: 'recorded', reservation: rejection }
      : { kind: 'already-decided', reservation: put.existing };
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
  error: unknown,
  reasons: readonly CancellationReason[],
  reservation: Reservation,
  lines: readonly StockLine[],
): ReserveAttempt {
  const [reservationReason, ...stockReasons] = reasons;
  if (reservationReason?.Code === 'ConditionalCheckFailed') {
    return { kind: 'already-decided', reservation: existingItem<Reservation>(reservationReason, reservation.order_id) };
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
