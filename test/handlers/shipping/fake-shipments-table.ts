import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/**
 * The shipments table behind a mocked DynamoDB client: it applies the adapter's UpdateItem the way
 * DynamoDB does (`SET #a = :v` and `SET #a = if_not_exists(#a, :v)`, ReturnValues ALL_NEW), and
 * rejects any other expression so that a change in the adapter cannot slip past these tests.
 */
export function fakeShipmentsTable(ddb: AwsClientStub<DynamoDBDocumentClient>, tableName: string) {
  const items = new Map<string, Record<string, unknown>>();
  ddb.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    if (input.TableName !== tableName) throw new Error(`unexpected table ${input.TableName}`);
    if (input.ReturnValues !== 'ALL_NEW') throw new Error('the shipping store reads the item back with ALL_NEW');
    if (input.ConditionExpression) throw new Error('the shipping store writes without a condition');
    const orderId = input.Key!.order_id as string;
    const current = items.get(orderId) ?? { order_id: orderId };
    const next = { ...current };
    const clauses = input.UpdateExpression!.replace(/^SET /, '').split(/, (?=#)/);
    for (const clause of clauses) {
      const match = /^(#\w+) = (?:if_not_exists\((#\w+), (:\w+)\)|(:\w+))$/.exec(clause);
      if (!match) throw new Error(`unsupported update clause: ${clause}`);
      const [, target, guard, guardedValue, plainValue] = match;
      const attribute = input.ExpressionAttributeNames![target!]!;
      if (guard) {
        if (input.ExpressionAttributeNames![guard] !== attribute) throw new Error(`if_not_exists on another attribute`);
        if (!(attribute in current)) next[attribute] = input.ExpressionAttributeValues![guardedValue!];
      } else {
        next[attribute] = input.ExpressionAttributeValues![plainValue!];
      }
    }
    items.set(orderId, next);
    return { Attributes: structuredClone(next) };
  });
  return items;
}
