import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
import {
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Reservation } from '../../../lambdas/inventory/reservation';
import { DEMO_STOCK } from '../../../lambdas/restock/seed';

type DocumentClientMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClient['config']>;

/** Errors to throw instead of answering, e.g. throttling for one order's transaction. */
export interface TableFaults {
  readonly transaction?: (orderId: string) => Error | undefined;
}

export interface StockTables {
  readonly stock: Map<string, { available: number }>;
  readonly reservations: Map<string, Reservation>;
  /** Restock markers, by their `restock#` key in the stock table. */
  readonly markers: Map<string, Record<string, unknown>>;
}

/**
 * Answers the inventory adapter's commands the way DynamoDB does, on two in-memory tables seeded
 * with the demo stock: the reservation transaction checks every condition before writing anything
 * and, when one fails, throws TransactionCanceledException with one reason per item (the existing
 * reservation marshalled into the first, ALL_OLD); the restock transaction likewise. It accepts only the exact expressions the adapter
 * uses, so a changed condition breaks these tests loudly.
 */
export function fakeStockTables(ddb: DocumentClientMock, faults: TableFaults = {}): StockTables {
  const stock = new Map(
    DEMO_STOCK.map((p) => [p.product_id, { available: p.available }] as const),
  ) as StockTables['stock'];
  const reservations = new Map<string, Reservation>();
  const markers = new Map<string, Record<string, unknown>>();

  ddb.on(TransactWriteCommand).callsFake(async (input: TransactWriteCommand['input']) => {
    const [put, ...updates] = input.TransactItems!;
    if (put!.Put!.TableName === 'stock') return restock(input);
    expect(put!.Put).toMatchObject({
      TableName: 'reservations',
      ConditionExpression: 'attribute_not_exists(order_id)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const reservation = put!.Put!.Item as Reservation;
    const fault = faults.transaction?.(reservation.order_id);
    if (fault) throw fault;
    const existing = reservations.get(reservation.order_id);
    const reasons: CancellationReason[] = [
      existing ? { Code: 'ConditionalCheckFailed', Item: marshall(existing) } : { Code: 'None' },
      ...updates.map(({ Update }): CancellationReason => {
        expect(Update).toMatchObject({
          TableName: 'stock',
          UpdateExpression: 'SET available = available - :quantity',
          ConditionExpression: 'available >= :quantity',
        });
        const available = stock.get(Update!.Key!.product_id as string)?.available;
        const quantity = Update!.ExpressionAttributeValues![':quantity'] as number;
        return available !== undefined && available >= quantity ? { Code: 'None' } : { Code: 'ConditionalCheckFailed' };
      }),
    ];
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    reservations.set(reservation.order_id, structuredClone(reservation));
    for (const { Update } of updates) {
      stock.get(Update!.Key!.product_id as string)!.available -= Update!.ExpressionAttributeValues![
        ':quantity'
      ] as number;
    }
    return {};
  });

  ddb.on(PutCommand, { TableName: 'reservations' }).callsFake(async (input: PutCommand['input']) => {
    expect(input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(order_id)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const rejection = input.Item as Reservation;
    const existing = reservations.get(rejection.order_id);
    if (existing) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall(existing),
      });
    }
    reservations.set(rejection.order_id, structuredClone(rejection));
    return {};
  });

  /** The restock transaction: a marker per restock_id (Put if absent, ALL_OLD) and ADD to the product. */
  function restock(input: TransactWriteCommand['input']) {
    const [{ Put: put }, { Update: update }] = input.TransactItems as [Required<TransactItem>, Required<TransactItem>];
    expect(put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(product_id)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(update).toMatchObject({ TableName: 'stock', UpdateExpression: 'ADD available :quantity' });
    const markerKey = put.Item!.product_id as string;
    const earlier = markers.get(markerKey);
    if (earlier) {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled [ConditionalCheckFailed, None]',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item: marshall(earlier) }, { Code: 'None' }],
      });
    }
    markers.set(markerKey, structuredClone(put.Item!));
    const productId = update.Key!.product_id as string;
    stock.set(productId, {
      available: (stock.get(productId)?.available ?? 0) + (update.ExpressionAttributeValues![':quantity'] as number),
    });
    return {};
  }

  return { stock, reservations, markers };
}
