import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * The orders and outbox tables behind aws-sdk-client-mock, answering the order service's three
 * requests as DynamoDB would: conditions checked, errors shaped like the SDK's (items in
 * ReturnValuesOnConditionCheckFailure come back marshalled, as the document client leaves them).
 * Not a general DynamoDB: it understands exactly the expressions the adapter sends.
 */
export function fakeOrderTables(
  ddb: AwsStub<ServiceInputTypes, ServiceOutputTypes, DynamoDBDocumentClient['config']>,
  names: { orders: string; outbox: string },
) {
  const orders = new Map<string, Item>();
  const outbox = new Map<string, Item>();
  const tables: Record<string, { map: Map<string, Item>; key: string }> = {
    [names.orders]: { map: orders, key: 'order_id' },
    [names.outbox]: { map: outbox, key: 'event_id' },
  };

  ddb.on(TransactWriteCommand).callsFake((input: TransactWriteCommand['input']) => {
    const puts = input.TransactItems!.map((t) => t.Put!);
    const reasons: CancellationReason[] = puts.map((put) => {
      const table = tables[put.TableName!]!;
      const existing = table.map.get(put.Item![table.key] as string);
      if (existing && put.ConditionExpression === `attribute_not_exists(${table.key})`) {
        return {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(put.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: marshall(existing) } : {}),
        };
      }
      return { Code: 'None' };
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: reasons,
      });
    }
    for (const put of puts) {
      const table = tables[put.TableName!]!;
      table.map.set(put.Item![table.key] as string, structuredClone(put.Item!));
    }
    return {};
  });

  ddb.on(GetCommand).callsFake((input: GetCommand['input']) => {
    const item = tables[input.TableName!]!.map.get(input.Key!.order_id as string);
    return item ? { Item: structuredClone(item) } : {};
  });

  ddb.on(UpdateCommand).callsFake((input: UpdateCommand['input']) => {
    const item = orders.get(input.Key!.order_id as string);
    const factAttribute = input.ExpressionAttributeNames!['#fact']!;
    if (!item || item[factAttribute] !== undefined) {
      throw new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
        ...(item && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: marshall(item) } : {}),
      });
    }
    const values = input.ExpressionAttributeValues!;
    item[factAttribute] = values[':at'];
    item.history = [
      ...((item.history as unknown[]) ?? (values[':empty'] as unknown[])),
      ...(values[':entry'] as unknown[]),
    ];
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(item) } : {};
  });

  return { orders, outbox };
}
