import { DynamoDBClient, type AttributeValue, type CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { awsClientConfig } from './aws-client-config';

/**
 * One DynamoDB document client per process, reused across invocations. The local runtime points
 * it at DynamoDB Local through the SDK's standard AWS_ENDPOINT_URL_DYNAMODB variable, so no code
 * here knows whether it runs in AWS or on a laptop.
 */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig()), {
  marshallOptions: { removeUndefinedValues: true },
});

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/** Why DynamoDB cancelled a transaction, in TransactItems order; undefined for any other error. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  const e = error as { name?: string; CancellationReasons?: CancellationReason[] } | undefined;
  return e?.name === 'TransactionCanceledException' ? (e.CancellationReasons ?? []) : undefined;
}

/**
 * The existing item that a failed condition returned (ReturnValuesOnConditionCheckFailure ALL_OLD),
 * from a ConditionalCheckFailedException or a transaction's cancellation reason. The document
 * client leaves items carried by errors marshalled.
 */
export function returnedItem<T>(source: unknown): T | undefined {
  const item = (source as { Item?: Record<string, AttributeValue> } | undefined)?.Item;
  return item ? (unmarshall(item) as T) : undefined;
}

/** As returnedItem, for a condition that failed because the item exists: no image is a fault to retry. */
export function existingItem<T>(source: unknown, key: string): T {
  return requireExisting(returnedItem<T>(source), key);
}

/** The item a failed condition met, where it fails only on an existing item: none is a fault to retry. */
export function requireExisting<T>(item: T | undefined, key: string): T {
  if (item === undefined) throw new Error(`Conditional write on ${key} failed without returning the existing item`);
  return item;
}

/**
 * What a conditional Put or Update came to: `written`, with the attributes it returned (ALL_NEW
 * when asked for), or `condition-failed`, with the item the condition met (ALL_OLD when asked for;
 * undefined when there was no item). A failed condition is an answer here, not an error.
 */
export type ConditionalWrite<T> =
  | { readonly kind: 'written'; readonly attributes: T | undefined }
  | { readonly kind: 'condition-failed'; readonly existing: T | undefined };

/** Awaits a conditional Put or Update; any failure other than its condition is thrown. */
export async function conditionalWrite<T>(
  write: Promise<{ readonly Attributes?: Record<string, unknown> }>,
): Promise<ConditionalWrite<T>> {
  try {
    return { kind: 'written', attributes: (await write).Attributes as T | undefined };
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return { kind: 'condition-failed', existing: returnedItem<T>(error) };
  }
}

/**
 * Puts an item unless one with its key exists, in one round trip: `written`, or `exists` with the
 * item that holds (ALL_OLD), so that the first write wins and a later one learns what it was.
 */
export async function putIfAbsent<E>(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: object,
  keyAttribute: string,
): Promise<{ readonly kind: 'written' } | { readonly kind: 'exists'; readonly existing: E }> {
  const write = await conditionalWrite<E>(
    client.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: `attribute_not_exists(${keyAttribute})`,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  if (write.kind === 'written') return { kind: 'written' };
  return {
    kind: 'exists',
    existing: requireExisting(write.existing, String((item as Record<string, unknown>)[keyAttribute])),
  };
}

/**
 * What a transaction guarded by its first item's condition came to (a marker or a record that must
 * not exist yet, so the whole transaction happens once): `written`, or `condition-failed` with that
 * item's cancellation reason (its ALL_OLD image when asked for).
 */
export type GuardedTransaction =
  { readonly kind: 'written' } | { readonly kind: 'condition-failed'; readonly reason: CancellationReason };

/** Sends the transaction; any cancellation other than the first item's condition, and any other failure, is thrown. */
export async function guardedTransaction(
  client: DynamoDBDocumentClient,
  items: NonNullable<TransactWriteCommandInput['TransactItems']>,
): Promise<GuardedTransaction> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return { kind: 'written' };
  } catch (error) {
    const [first] = cancellationReasons(error) ?? [];
    if (first?.Code !== 'ConditionalCheckFailed') throw error;
    return { kind: 'condition-failed', reason: first };
  }
}
