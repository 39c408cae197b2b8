import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OPERATIONS_COUNTERS, operationsCounterUpdate } from '../../shared/analytics/operations-counters';
import { existingItem, guardedTransaction } from '../../shared/dynamodb';
import { classifyError } from '../../shared/errors';
import type { Order } from '../../shared/orders/order';
import { fromItem, toItem } from '../../shared/orders/order-table-item';
import type { OutboxEntry } from '../../shared/orders/outbox';
import {
  OrderStoreRejectedError,
  OrderStoreUnavailableError,
  type CreateOrderResult,
  type OrderRepository,
} from '../ports';

/** The order API's store: 1 round trip per request (POST: TransactWriteItems, GET: GetItem). */
export class DynamoDbOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: {
      readonly ordersTable: string;
      readonly outboxTable: string;
      readonly analyticsTable: string;
    },
  ) {}

  async create(order: Order, outbox: OutboxEntry): Promise<CreateOrderResult> {
    try {
      // The transactional outbox: the order and the event announcing it commit together or not at
      // all, so an accepted order is always published (by the relay) and nothing is published for an
      // order that was not stored. ALL_OLD hands back an existing order in the same round trip. The
      // dashboard's count of PLACED orders moves in the same transaction, so a replay cannot move it
      // twice; its shard is picked by the order id (docs/design.md, "Reading").
      const write = await guardedTransaction(this.client, [
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
        operationsCounterUpdate(this.tables.analyticsTable, order.order_id, {
          [OPERATIONS_COUNTERS.status('PLACED')]: 1,
        }),
      ]);
      if (write.kind === 'written') return { kind: 'created' };
      return { kind: 'exists', existing: fromItem(existingItem(write.reason, order.order_id)) };
    } catch (error) {
      throw classifyStoreError(error);
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
      throw classifyStoreError(error);
    }
  }
}

/**
 * Throttling, a transaction conflicting with a concurrent one (two retries of one Idempotency-Key in
 * flight), DynamoDB server faults and dropped connections go away on their own (classifyError): the
 * API answers 503 with Retry-After. A value DynamoDB refuses as invalid (ValidationException, or a
 * transaction cancelled for a ValidationError) fails the same way every time: 400. Anything else is
 * a fault of ours and stays as it is (500).
 */
export function classifyStoreError(error: unknown): unknown {
  const { kind } = classifyError(error);
  if (kind === 'transient') return new OrderStoreUnavailableError(error);
  if (kind === 'poison' && isValidationError(error)) return new OrderStoreRejectedError(error);
  return error;
}

function isValidationError(error: unknown): boolean {
  const { name, CancellationReasons } = error as { name?: unknown; CancellationReasons?: { Code?: string }[] };
  return name === 'ValidationException' || (CancellationReasons ?? []).some((r) => r.Code === 'ValidationError');
}
