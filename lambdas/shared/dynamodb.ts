import { DynamoDBClient, type AttributeValue, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  const item = returnedItem<T>(source);
  if (item === undefined) throw new Error(`Conditional write on ${key} failed without returning the existing item`);
  return item;
}
