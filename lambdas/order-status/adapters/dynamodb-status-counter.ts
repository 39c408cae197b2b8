import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ANALYTICS_KEYS, MARKER_RETENTION_SECONDS } from '../../shared/analytics/analytics-keys';
import {
  operationsCounterUpdate,
  statusChangeCounters,
  type StatusChange,
} from '../../shared/analytics/operations-counters';
import { guardedTransaction } from '../../shared/dynamodb';
import type { OrderFact } from '../../shared/orders/order-status';
import type { CountStatusChangeResult, StatusCounter } from '../ports';

/**
 * The orders-by-status counters in the analytics table: 1 round trip per change of status (one
 * TransactWriteItems: the marker of (order, fact), conditional on its absence, and the counters'
 * shard), the pattern of the click counters (I7). A redelivery fails the marker and moves nothing.
 */
export class DynamoDbStatusCounter implements StatusCounter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly analyticsTable: string,
  ) {}

  async countStatusChange(orderId: string, fact: OrderFact, change: StatusChange): Promise<CountStatusChangeResult> {
    const { kind } = await guardedTransaction(this.client, [
      {
        Put: {
          TableName: this.analyticsTable,
          Item: {
            pk: ANALYTICS_KEYS.statusChange(orderId, fact),
            from: change.from,
            to: change.to,
            expires_at: Math.floor(Date.now() / 1000) + MARKER_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      operationsCounterUpdate(this.analyticsTable, orderId, statusChangeCounters(change)),
    ]);
    return { kind: kind === 'written' ? 'counted' : 'duplicate' };
  }
}
