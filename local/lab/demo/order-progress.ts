import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { HistoryEntry } from '../../../lambdas/shared/orders/order';
import {
  factAttribute,
  factOfStatus,
  isTerminalStatus,
  ORDER_FACTS,
  statusOfStoredOrder,
  type OrderStatus,
} from '../../../lambdas/shared/orders/order-status';
import { localTableName } from '../app-bindings';
import { localDynamoDbClient } from '../../runtime/services/dynamodb/dynamodb-local';

/**
 * Watches orders reach their terminal states by reading the orders table directly (the order ids
 * and fact timestamps only), so that watching a thousand orders costs the pipeline little; the API
 * is asked once per order at the end.
 */
export async function readOrderStatuses(dynamodbEndpoint: string): Promise<Map<string, OrderStatus>> {
  const client = localDynamoDbClient(dynamodbEndpoint);
  const names = Object.fromEntries(ORDER_FACTS.map((fact, i) => [`#f${i}`, factAttribute(fact)]));
  try {
    const statuses = new Map<string, OrderStatus>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: localTableName('orders'),
          ConsistentRead: true,
          ProjectionExpression: ['order_id', ...Object.keys(names)].join(', '),
          ExpressionAttributeNames: names,
          ExclusiveStartKey: start,
        }),
      );
      for (const raw of page.Items ?? []) {
        const item = unmarshall(raw);
        statuses.set(String(item.order_id), statusOfStoredOrder(item));
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return statuses;
  } finally {
    client.destroy();
  }
}

/** Consistent reads of the given orders' facts, 100 keys per BatchGetItem; unknown ids are left out. */
export async function readStatusesOf(
  client: DynamoDBDocumentClient,
  orderIds: readonly string[],
): Promise<Map<string, OrderStatus>> {
  const statuses = new Map<string, OrderStatus>();
  for (const item of await readOrderItems(client, orderIds, [])) {
    statuses.set(String(item.order_id), statusOfStoredOrder(item));
  }
  return statuses;
}

/**
 * The given orders that are terminal, each with when it became so: the status projector's
 * `recorded_at` on the history entry of the fact that decided the status (its clock, taken just
 * before the write that made the order terminal). A reader polling once a second still times each
 * order to the millisecond, so that watching orders costs DynamoDB Local few reads.
 */
export async function readTerminalTimesOf(
  client: DynamoDBDocumentClient,
  orderIds: readonly string[],
): Promise<Map<string, { readonly status: OrderStatus; readonly terminalAt: number }>> {
  const terminal = new Map<string, { status: OrderStatus; terminalAt: number }>();
  for (const item of await readOrderItems(client, orderIds, ['history'])) {
    const status = statusOfStoredOrder(item);
    if (!isTerminalStatus(status)) continue;
    const fact = factOfStatus(status);
    const entry = ((item.history ?? []) as HistoryEntry[]).find((e) => e.fact === fact && e.recorded_at);
    if (!entry) throw new Error(`order ${String(item.order_id)} is ${status} without a recorded_at for ${fact}`);
    terminal.set(String(item.order_id), { status, terminalAt: Date.parse(entry.recorded_at!) });
  }
  return terminal;
}

/** The orders' ids and facts (and `extra` attributes), consistent reads of 100 keys per BatchGetItem. */
async function readOrderItems(
  client: DynamoDBDocumentClient,
  orderIds: readonly string[],
  extra: readonly string[],
): Promise<Record<string, unknown>[]> {
  const table = localTableName('orders');
  const names = Object.fromEntries(
    [...ORDER_FACTS.map(factAttribute), ...extra].map((attribute, i) => [`#a${i}`, attribute]),
  );
  const projection = ['order_id', ...Object.keys(names)].join(', ');
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < orderIds.length; start += 100) {
    let keys: Record<string, unknown>[] = orderIds.slice(start, start + 100).map((order_id) => ({ order_id }));
    while (keys.length > 0) {
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [table]: {
              Keys: keys,
              ConsistentRead: true,
              ProjectionExpression: projection,
              ExpressionAttributeNames: names,
            },
          },
        }),
      );
      items.push(...(Responses?.[table] ?? []));
      keys = UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}

export interface WaitResult {
  readonly terminal: number;
  readonly pending: readonly string[];
  /** When the first of the orders became terminal (ms since the epoch, as seen by the poll). */
  readonly firstTerminalAt?: number;
  /** When the last of them did. */
  readonly lastTerminalAt?: number;
  readonly timedOut: boolean;
}

/**
 * Polls until every given order is terminal, the deadline passes, or `isDone` says to stop.
 * `orderIds` is read on every poll, so orders still being placed can be added to it. Each poll reads
 * only the orders not yet terminal: a Scan of the whole table four times a second took a share of
 * DynamoDB Local's CPU that grew with the run, from the pipeline it measures.
 */
export async function waitUntilTerminal(
  dynamodbEndpoint: string,
  orderIds: () => readonly string[],
  options: {
    readonly deadline: number;
    readonly allPlaced: () => boolean;
    readonly intervalMs?: number;
    readonly onPoll?: (statuses: ReadonlyMap<string, OrderStatus>) => void;
    readonly firstTerminal?: (at: number) => void;
  },
): Promise<WaitResult> {
  let firstTerminalAt: number | undefined;
  let lastTerminalAt: number | undefined;
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodbEndpoint));
  const statuses = new Map<string, OrderStatus>();
  const notTerminal = (id: string) => {
    const status = statuses.get(id);
    return status === undefined || !isTerminalStatus(status);
  };
  try {
    for (;;) {
      for (const [id, status] of await readStatusesOf(client, orderIds().filter(notTerminal))) statuses.set(id, status);
      const now = Date.now();
      const ids = orderIds();
      const pending = ids.filter(notTerminal);
      if (firstTerminalAt === undefined && pending.length < ids.length) {
        firstTerminalAt = now;
        options.firstTerminal?.(now);
      }
      options.onPoll?.(statuses);
      if (pending.length === 0 && options.allPlaced()) {
        lastTerminalAt = now;
        return { terminal: ids.length, pending, firstTerminalAt, lastTerminalAt, timedOut: false };
      }
      if (now > options.deadline) {
        return { terminal: ids.length - pending.length, pending, firstTerminalAt, timedOut: true };
      }
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  } finally {
    client.destroy();
  }
}
