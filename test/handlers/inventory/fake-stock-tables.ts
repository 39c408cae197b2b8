import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { Reservation } from '../../../lambdas/inventory/reservation';
import { DEMO_STOCK } from '../../../lambdas/inventory/seed';

type DocumentClientMock = AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClient['config']>;

/** Errors to throw instead of answering, e.g. throttling for one order's transaction. */
export interface TableFaults {
  readonly transaction?: (orderId: string) => Error | undefined;
}

export interface StockTables {
  readonly stock: Map<string, { available: number; applied_restocks?: Set<string> }>;
  readonly reservations: Map<string, Reservation>;
}

/**
 * Answers the inventory adapter's commands the way DynamoDB does, on two in-memory tables seeded
 * with the demo stock: the reservation transaction checks every condition before writing anything
 * and, when one fails, throws TransactionCanceledException with one reason per item (the existing
 * reservation marshalled into the first, ALL_OLD). It accepts only the exact expressions the adapter
 * uses, so a changed condition breaks these tests loudly.
 */
export function fakeStockTables(ddb: DocumentClientMock, faults: TableFaults = {}): StockTables {
  const stock = new Map(
    DEMO_STOCK.map((p) => [p.product_id, { available: p.available }] as const),
  ) as StockTables['stock'];
  const reservations = new Map<string, Reservation>();

  ddb.on(TransactWriteCommand).callsFake(async (input: TransactWriteCommand['input']) => {
    const [put, ...updates] = input.TransactItems!;
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

  ddb.on(UpdateCommand, { TableName: 'stock' }).callsFake(async (input: UpdateCommand['input']) => {
    expect(input).toMatchObject({
      UpdateExpression: 'ADD available :quantity, applied_restocks :restockIds',
      ConditionExpression: 'NOT contains(applied_restocks, :restockId)',
    });
    const values = input.ExpressionAttributeValues!;
    const productId = input.Key!.product_id as string;
    const item = stock.get(productId) ?? { available: 0 };
    if (item.applied_restocks?.has(values[':restockId'] as string)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    const ids = values[':restockIds'] as Set<string>;
    stock.set(productId, {
      available: item.available + (values[':quantity'] as number),
      applied_restocks: new Set([...(item.applied_restocks ?? []), ...ids]),
    });
    return {};
  });

  return { stock, reservations };
}
