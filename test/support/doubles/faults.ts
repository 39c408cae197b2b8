import { ProvisionedThroughputExceededException, ThrottlingException } from '@aws-sdk/client-dynamodb';

/** Decides, per operation and key, whether an in-memory store fails instead of answering. */
export type Fault<Operation extends string> = (operation: Operation, key: string) => Error | undefined;

/** DynamoDB's answer when a table is throttled: transient, the record is retried. */
export const throttling = (): Error =>
  new ProvisionedThroughputExceededException({ message: 'Throughput exceeds the current capacity', $metadata: {} });

/** DynamoDB's two throttling answers, by name, for `it.each`: both transient. */
export const THROTTLING_ERRORS: readonly (readonly [string, Error])[] = [
  ['ProvisionedThroughputExceededException', throttling()],
  [
    'ThrottlingException',
    new ThrottlingException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} }),
  ],
];

/** Fails every call of `operation` (all operations when omitted) whose key is in `keys` (any key when empty). */
export function failing<Operation extends string>(
  error: Error,
  options: { operation?: NoInfer<Operation>; keys?: readonly string[] } = {},
): Fault<Operation> {
  return (operation, key) =>
    (options.operation === undefined || options.operation === operation) &&
    (options.keys === undefined || options.keys.includes(key))
      ? error
      : undefined;
}

/**
 * A conditional put in memory, as the DynamoDB adapters write a first-wins item: stores a copy of
 * `item` under `key` unless one is there, else answers `exists` with a copy of the one that holds.
 */
export function putIfAbsent<T>(
  items: Map<string, T>,
  key: string,
  item: T,
): { readonly kind: 'written' } | { readonly kind: 'exists'; readonly existing: T } {
  const existing = items.get(key);
  if (existing) return { kind: 'exists', existing: structuredClone(existing) };
  items.set(key, structuredClone(item));
  return { kind: 'written' };
}
