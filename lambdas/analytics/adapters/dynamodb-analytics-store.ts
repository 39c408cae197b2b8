import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  ANALYTICS_KEYS,
  counterShard,
  MARKER_RETENTION_SECONDS,
  MINUTE_RETENTION_SECONDS,
  PRODUCT_VIEWS_PREFIX,
  RECENT_PRODUCT_PREFIX,
  USER_RETENTION_SECONDS,
} from '../../shared/analytics/analytics-keys';
import { ANALYTICS_COUNTER_SHARDS } from '../../shared/contracts/tables';
import { cancellationReasons, guardedTransaction } from '../../shared/dynamodb';
import { placeholderTerms } from '../../shared/dynamodb-expressions';
import type { AnalyticsStore, ClickCount, CountResult, DeadLetterCount, PaidOrderCount } from '../ports';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Attempts at a transaction that conflicts with a concurrent one on a shared counter. */
const CONFLICT_ATTEMPTS = 5;

export interface AnalyticsStoreOptions {
  /** Shards of the totals and minute items; readers must sum as many. */
  readonly shards?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told of every transaction cancelled by TransactionConflict (the bench counts them). */
  readonly onConflict?: () => void;
}

/**
 * The analytics counters in DynamoDB (TABLES.analytics). Every fact is ONE TransactWriteItems: the
 * marker first, conditional on its absence, then the counters; a failed marker condition cancels
 * the whole transaction, so a duplicate moves nothing (I7). Partitions write concurrently, so the
 * totals and minute items every fact moves are sharded (ANALYTICS_COUNTER_SHARDS, by a hash of the
 * fact's id): concurrent transactions on one item cancel each other (TransactionConflict). What
 * conflicts still (a product item, two facts on one shard) is retried here, with jitter, before it
 * becomes a retried record (docs/design.md, "Click analytics").
 */
export class DynamoDbAnalyticsStore implements AnalyticsStore {
  private readonly shards: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onConflict: () => void;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: AnalyticsStoreOptions = {},
  ) {
    this.shards = options.shards ?? ANALYTICS_COUNTER_SHARDS;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.onConflict = options.onConflict ?? (() => undefined);
  }

  countClick(click: ClickCount): Promise<CountResult> {
    const minuteCounters: Record<string, number> = click.late
      ? { late: 1 }
      : { views: 1, [PRODUCT_VIEWS_PREFIX + click.product_id]: 1 };
    const shard = counterShard(click.event_id, this.shards);
    return this.countOnce(ANALYTICS_KEYS.click(click.event_id), click.clicked_at, [
      this.add(ANALYTICS_KEYS.minute(click.minute, shard), minuteCounters, minuteExpiry(click.minute)),
      this.add(ANALYTICS_KEYS.product(click.product_id), { views: 1 }),
      this.add(ANALYTICS_KEYS.totals(shard), click.late ? { clicks: 1, late_clicks: 1 } : { clicks: 1 }),
      {
        Update: {
          TableName: this.tableName,
          Key: { pk: ANALYTICS_KEYS.user(click.user_id) },
          UpdateExpression: 'SET #product = :at, expires_at = :expires',
          ExpressionAttributeNames: { '#product': RECENT_PRODUCT_PREFIX + click.product_id },
          ExpressionAttributeValues: { ':at': click.clicked_at, ':expires': epochSeconds() + USER_RETENTION_SECONDS },
        },
      },
    ]);
  }

  countPaidOrder(order: PaidOrderCount): Promise<CountResult> {
    const shard = counterShard(order.order_id, this.shards);
    return this.countOnce(ANALYTICS_KEYS.paidOrder(order.order_id), order.minute, [
      this.add(ANALYTICS_KEYS.minute(order.minute, shard), { paid_orders: 1 }, minuteExpiry(order.minute)),
      this.add(ANALYTICS_KEYS.totals(shard), { paid_orders: 1 }),
      ...order.lines.map((line) =>
        this.add(ANALYTICS_KEYS.product(line.product_id), { paid_orders: 1, units_sold: line.quantity }),
      ),
    ]);
  }

  /**
   * A record Lambda gave up is first counted as given up behind another; then its give-up's marker
   * moves ONE of them, once per give-up, to `dead_letters`. Both writes are exact on their own
   * markers, so a redelivery between them completes the second, and the totals do not depend on
   * which record of a give-up comes first. The move stays in the record's own minute, so no window
   * goes below zero.
   */
  async countDeadLetter({ id, minute, givenUp }: DeadLetterCount): Promise<CountResult> {
    const counter = givenUp ? 'given_up_behind' : 'dead_letters';
    const shard = counterShard(id, this.shards);
    const result = await this.countOnce(ANALYTICS_KEYS.deadLetter(id), minute, [
      this.add(ANALYTICS_KEYS.minute(minute, shard), { [counter]: 1 }, minuteExpiry(minute)),
      this.add(ANALYTICS_KEYS.totals(shard), { [counter]: 1 }),
    ]);
    if (givenUp) {
      const failed = { dead_letters: 1, given_up_behind: -1 };
      await this.countOnce(ANALYTICS_KEYS.givenUp(givenUp.group), minute, [
        // The same shard as the record's own count, so no shard of a window goes below zero.
        this.add(ANALYTICS_KEYS.minute(minute, shard), failed, minuteExpiry(minute)),
        this.add(ANALYTICS_KEYS.totals(shard), failed),
      ]);
    }
    return result;
  }

  private async countOnce(markerKey: string, at: string, counters: readonly TransactItem[]): Promise<CountResult> {
    const marker: TransactItem = {
      Put: {
        TableName: this.tableName,
        Item: { pk: markerKey, at, expires_at: epochSeconds() + MARKER_RETENTION_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const { kind } = await guardedTransaction(this.client, [marker, ...counters]);
        return { kind: kind === 'written' ? 'counted' : 'duplicate' };
      } catch (error) {
        const conflict = cancellationReasons(error)?.some((r) => r.Code === 'TransactionConflict') ?? false;
        if (conflict) this.onConflict();
        if (!conflict || attempt === CONFLICT_ATTEMPTS) throw error;
        await this.sleep(Math.random() * 20 * 2 ** attempt);
      }
    }
  }

  /** `ADD` every counter of one item; `expires_at` only on items that expire (minute windows). */
  private add(pk: string, counters: Record<string, number>, expiresAt?: number): TransactItem {
    const adds = placeholderTerms('c', counters, 'ADD');
    return {
      Update: {
        TableName: this.tableName,
        Key: { pk },
        UpdateExpression: `ADD ${adds.terms.join(', ')}${expiresAt === undefined ? '' : ' SET expires_at = :expires'}`,
        ExpressionAttributeNames: adds.names,
        ExpressionAttributeValues: { ...adds.values, ...(expiresAt === undefined ? {} : { ':expires': expiresAt }) },
      },
    };
  }
}

function epochSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** A window expires by its own time, not by when it was last written: a late write never prolongs it. */
function minuteExpiry(minute: string): number {
  return Math.floor(Date.parse(`${minute}:00Z`) / 1000) + MINUTE_RETENTION_SECONDS;
}
