import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ANALYTICS_KEYS,
  counterShards,
  PRODUCT_VIEWS_PREFIX,
  RECENT_PRODUCT_PREFIX,
} from '../../shared/analytics/analytics-keys';
import { summarizeHopItems, type MappingHops } from '../../shared/analytics/hop-timings';
import { OPERATIONS_COUNTERS } from '../../shared/analytics/operations-counters';
import { ANALYTICS_COUNTER_SHARDS, SENT_LIST, TABLES } from '../../shared/contracts/tables';
import { ORDER_STATUSES, type OrderStatus } from '../../shared/orders/order-status';
import type { AnalyticsReader, MinuteWindow, OperationsReader, ProductTotals, SentEmails, Totals } from '../ports';

type Item = Record<string, unknown>;
/** BatchGetItem reads at most 100 keys per request. */
const BATCH_GET_KEYS = 100;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** The numeric attributes of the items under `keys`, added up: a sharded counter's value. */
function sumOf(items: ReadonlyMap<string, Item>, keys: readonly string[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const key of keys) {
    for (const [name, value] of Object.entries(items.get(key) ?? {})) {
      if (typeof value === 'number') sum[name] = (sum[name] ?? 0) + value;
    }
  }
  return sum;
}

/**
 * The analytics table as the API reads it. The totals and minute windows are sharded
 * (ANALYTICS_COUNTER_SHARDS): every shard is fetched with BatchGetItem, up to 100 keys a request,
 * the requests in parallel, and summed, so a read costs one round trip per 100 keys and never a scan.
 */
export class DynamoDbAnalyticsReader implements AnalyticsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly shards: number = ANALYTICS_COUNTER_SHARDS,
  ) {}

  async minutes(minutes: readonly string[]): Promise<MinuteWindow[]> {
    const shardsOf = (minute: string) => counterShards((shard) => ANALYTICS_KEYS.minute(minute, shard), this.shards);
    const items = await this.getMany(minutes.flatMap(shardsOf));
    return minutes.map((minute) => {
      const item = sumOf(items, shardsOf(minute));
      const products = Object.fromEntries(
        Object.entries(item)
          .filter(([name]) => name.startsWith(PRODUCT_VIEWS_PREFIX))
          .map(([name, n]) => [name.slice(PRODUCT_VIEWS_PREFIX.length), num(n)]),
      );
      return {
        minute,
        views: num(item.views),
        late: num(item.late),
        paid_orders: num(item.paid_orders),
        dead_letters: num(item.dead_letters),
        given_up_behind: num(item.given_up_behind),
        products,
      };
    });
  }

  async products(productIds: readonly string[]): Promise<ProductTotals[]> {
    const items = await this.getMany(productIds.map(ANALYTICS_KEYS.product));
    return productIds.map((product_id) => {
      const item = items.get(ANALYTICS_KEYS.product(product_id)) ?? {};
      return {
        product_id,
        views: num(item.views),
        paid_orders: num(item.paid_orders),
        units_sold: num(item.units_sold),
      };
    });
  }

  async recentProducts(userId: string): Promise<Record<string, string>> {
    const { Item = {} } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: ANALYTICS_KEYS.user(userId) } }),
    );
    return Object.fromEntries(
      Object.entries(Item)
        .filter(([name, at]) => name.startsWith(RECENT_PRODUCT_PREFIX) && typeof at === 'string')
        .map(([name, at]) => [name.slice(RECENT_PRODUCT_PREFIX.length), at as string]),
    );
  }

  async totals(): Promise<Totals> {
    const keys = counterShards(ANALYTICS_KEYS.totals, this.shards);
    const Item = sumOf(await this.getMany(keys), keys);
    return {
      clicks: num(Item.clicks),
      late_clicks: num(Item.late_clicks),
      paid_orders: num(Item.paid_orders),
      dead_letters: num(Item.dead_letters),
      given_up_behind: num(Item.given_up_behind),
    };
  }

  async hops(minutes: readonly string[]): Promise<MappingHops[]> {
    const keys = minutes.flatMap((minute) => counterShards((shard) => ANALYTICS_KEYS.hops(minute, shard), this.shards));
    return summarizeHopItems([...(await this.getMany(keys)).values()]);
  }

  private async getMany(keys: readonly string[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Set(keys)];
    const chunks = Array.from({ length: Math.ceil(unique.length / BATCH_GET_KEYS) }, (_, i) =>
      unique.slice(i * BATCH_GET_KEYS, (i + 1) * BATCH_GET_KEYS),
    );
    await Promise.all(
      chunks.map(async (chunk) => {
        let request: Record<string, { Keys: Item[] }> | undefined = {
          [this.tableName]: { Keys: chunk.map((pk) => ({ pk })) },
        };
        // Unprocessed keys (throttling) are asked again until none is left.
        while (request && Object.keys(request).length > 0) {
          const response = await this.client.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of response.Responses?.[this.tableName] ?? []) found.set(item.pk as string, item);
          request = response.UnprocessedKeys as typeof request;
        }
      }),
    );
    return found;
  }
}

/**
 * The summary's order and email figures, from counters kept by the writes that make them true (the
 * order API, the status projector, notifications; docs/design.md, "Reading"): the orders by status
 * and the emails sent are the sum of the operations shards (one BatchGetItem), the latest emails
 * one Query of the notifications table's `sent` index, newest first. Nothing is scanned: a call
 * costs the same whatever the number of orders.
 */
export class DynamoDbOperationsReader implements OperationsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { readonly analyticsTable: string; readonly notificationsTable: string },
    private readonly shards: number = ANALYTICS_COUNTER_SHARDS,
  ) {}

  async ordersByStatus(): Promise<Record<OrderStatus, number>> {
    const counters = await this.counters();
    return Object.fromEntries(
      ORDER_STATUSES.map((status) => [status, counters[OPERATIONS_COUNTERS.status(status)] ?? 0]),
    ) as Record<OrderStatus, number>;
  }

  async notificationsSent(latest: number): Promise<SentEmails> {
    const index = TABLES.notifications.sparseIndex;
    const [counters, page] = await Promise.all([
      this.counters(),
      this.client.send(
        new QueryCommand({
          TableName: this.tables.notificationsTable,
          IndexName: index.name,
          KeyConditionExpression: '#list = :list',
          ExpressionAttributeNames: { '#list': index.partitionKey },
          ExpressionAttributeValues: { ':list': SENT_LIST },
          ScanIndexForward: false,
          Limit: latest,
        }),
      ),
    ]);
    return {
      sent: counters[OPERATIONS_COUNTERS.emailsSent] ?? 0,
      latest: (page.Items ?? []).map((item) => ({
        order_id: String(item.order_id ?? ''),
        change: String(item.change ?? ''),
        subject: String(item.subject ?? ''),
        sent_at: String(item.sent_at),
      })),
    };
  }

  private async counters(): Promise<Record<string, number>> {
    const keys = counterShards(ANALYTICS_KEYS.operations, this.shards);
    const { Responses } = await this.client.send(
      new BatchGetCommand({
        RequestItems: { [this.tables.analyticsTable]: { Keys: keys.map((pk) => ({ pk })) } },
      }),
    );
    const items = new Map((Responses?.[this.tables.analyticsTable] ?? []).map((item) => [item.pk as string, item]));
    return sumOf(items, keys);
  }
}
