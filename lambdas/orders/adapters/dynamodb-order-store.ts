import type { AttributeValue, CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed } from '../../shared/dynamodb';
import {
  OrderStoreUnavailableError,
  type CreateOrderResult,
  type HistoryEntry,
  type Order,
  type OrderRepository,
} from '../order';
import { factAttribute, ORDER_FACTS, type OrderFact } from '../order-status';
import type { OutboxEntry } from '../outbox';
import type { OrderFactStore, RecordFactResult } from '../record-outcome';

/**
 * The orders table holds one item per order: the order as placed, a `<fact>_at` attribute per known
 * fact (the status is derived from them, never stored) and the history list.
 */
type OrderItem = Omit<Order, 'facts'> & Partial<Record<`${OrderFact}_at`, string>>;

function toItem(order: Order): OrderItem {
  const { facts, ...rest } = order;
  return {
    ...rest,
    ...Object.fromEntries(Object.entries(facts).map(([fact, at]) => [factAttribute(fact as OrderFact), at])),
  };
}

function fromItem(item: Record<string, unknown>): Order {
  const facts: Partial<Record<OrderFact, string>> = {};
  for (const fact of ORDER_FACTS) {
    const at = item[factAttribute(fact)];
    if (typeof at === 'string') facts[fact] = at;
  }
  return {
    order_id: item.order_id as string,
    user_id: item.user_id as string,
    items: item.items as Order['items'],
    amount: item.amount as number,
    currency: item.currency as string,
    payment_method: item.payment_method as string,
    created_at: item.created_at as string,
    history: (item.history ?? []) as HistoryEntry[],
    facts,
  };
}

/** The order API's store: 1 round trip per request (POST: TransactWriteItems, GET: GetItem). */
export class DynamoDbOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { readonly ordersTable: string; readonly outboxTable: string },
  ) {}

  async create(order: Order, outbox: OutboxEntry): Promise<CreateOrderResult> {
    try {
      // The transactional outbox: the order and the event announcing it commit together or not at
      // all, so an accepted order is always published (by the relay) and nothing is published for an
      // order that was not stored. ALL_OLD hands back an existing order in the same round trip.
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.ordersTable,
                Item: toItem(order),
                ConditionExpression: 'attribute_not_exists(order_id)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.tables.outboxTable,
                Item: outbox,
                ConditionExpression: 'attribute_not_exists(event_id)',
              },
            },
          ],
        }),
      );
      return { created: true };
    } catch (error) {
      const existing = cancellationReasons(error)?.[0];
      if (existing?.Code === 'ConditionalCheckFailed' && existing.Item) {
        return { created: false, existing: fromItem(unmarshall(existing.Item)) };
      }
      throw classify(error);
    }
  }

  async get(orderId: string): Promise<Order | undefined> {
    try {
      // Strongly consistent: a client that follows the Location header of a 202 sees its order.
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tables.ordersTable, Key: { order_id: orderId }, ConsistentRead: true }),
      );
      return Item ? fromItem(Item) : undefined;
    } catch (error) {
      throw classify(error);
    }
  }
}

/** The status projector's store: 1 round trip per record (UpdateItem), duplicates included. */
export class DynamoDbOrderFactStore implements OrderFactStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly ordersTable: string,
  ) {}

  async recordFact(orderId: string, fact: OrderFact, entry: HistoryEntry): Promise<RecordFactResult> {
    try {
      // The condition makes the fact and its history line idempotent on (order_id, fact): a second
      // delivery fails the condition and writes nothing. ALL_OLD tells "duplicate" (item returned)
      // from "unknown order" (no item) without a second read; ALL_NEW returns the order for logging.
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { order_id: orderId },
          UpdateExpression: 'SET #fact = :at, #history = list_append(if_not_exists(#history, :empty), :entry)',
          ConditionExpression: 'attribute_exists(order_id) AND attribute_not_exists(#fact)',
          ExpressionAttributeNames: { '#fact': factAttribute(fact), '#history': 'history' },
          ExpressionAttributeValues: { ':at': entry.at, ':entry': [entry], ':empty': [] },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'recorded', order: fromItem(Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The document client does not unmarshall items carried by errors.
      const item = (error as { Item?: Record<string, AttributeValue> }).Item;
      return item ? { outcome: 'duplicate', order: fromItem(unmarshall(item)) } : { outcome: 'unknown_order' };
    }
  }
}

function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  const e = error as { name?: string; CancellationReasons?: CancellationReason[] } | undefined;
  return e?.name === 'TransactionCanceledException' ? e.CancellationReasons : undefined;
}

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
]);
const TRANSIENT_CANCELLATIONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);

/**
 * Throttling, a transaction conflicting with a concurrent one (two retries of one Idempotency-Key in
 * flight) and DynamoDB server faults go away on their own: the API answers 503 with Retry-After.
 * Anything else is a fault of ours and stays as it is (500).
 */
function classify(error: unknown): unknown {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  const transient =
    THROTTLING_ERRORS.has(name) ||
    (cancellationReasons(error) ?? []).some((reason) => TRANSIENT_CANCELLATIONS.has(reason.Code ?? '')) ||
    (error as { $fault?: string } | undefined)?.$fault === 'server';
  return transient ? new OrderStoreUnavailableError(error) : error;
}
