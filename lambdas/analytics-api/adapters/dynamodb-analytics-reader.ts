import { BatchGetCommand, GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ANALYTICS_KEYS,
  PRODUCT_VIEWS_PREFIX,
  RECENT_PRODUCT_PREFIX,
} from '../../shared/analytics/analytics-keys';
import { ORDER_FACTS, ORDER_STATUSES, deriveOrderStatus, factAttribute, type OrderStatus } from '../../shared/orders/order-status';
import type {
  AnalyticsReader,
  BoundedCount,
  MinuteWindow,
  OperationsReader,
  ProductTotals,
  SentEmails,
  Totals,
} from '../ports';

type Item = Record<string, unknown>;
/** BatchGetItem reads at most 100 keys per request. */
const BATCH_GET_KEYS = 100;
/**
 * The summary's counts scan the orders and notifications tables: fine for a demo's thousands of
 * orders, bounded so that a big table costs a bounded read. A real shop keeps counters instead.
 */
export const MAX_SCANNED_ITEMS = 20_000;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

export class DynamoDbAnalyticsReader implements AnalyticsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async minutes(minutes: readonly string[]): Promise<MinuteWindow[]> {
    const items = await this.getMany(minutes.map(ANALYTICS_KEYS.minute));
    return minutes.map((minute) => {
      const item = items.get(ANALYTICS_KEYS.minute(minute)) ?? {};
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
      return { product_id, views: num(item.views), paid_orders: num(item.paid_orders), units_sold: num(item.units_sold) };
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
    const { Item = {} } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: ANALYTICS_KEYS.totals() } }),
    );
    return {
      clicks: num(Item.clicks),
      late_clicks: num(Item.late_clicks),
      paid_orders: num(Item.paid_orders),
      dead_letters: num(Item.dead_letters),
      given_up_behind: num(Item.given_up_behind),
    };
  }

  private async getMany(keys: readonly string[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
      let request: Record<string, { Keys: Item[] }> | undefined = {
        [this.tableName]: { Keys: unique.slice(i, i + BATCH_GET_KEYS).map((pk) => ({ pk })) },
      };
      // Unprocessed keys (throttling) are asked again until none is left.
      while (request && Object.keys(request).length > 0) {
        const response = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of response.Responses?.[this.tableName] ?? []) found.set(item.pk as string, item);
        request = response.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }
}

export class DynamoDbOperationsReader implements OperationsReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { readonly ordersTable: string; readonly notificationsTable: string },
  ) {}

  async ordersByStatus(): Promise<BoundedCount<Record<OrderStatus, number>>> {
    const counts = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
    const names = Object.fromEntries(ORDER_FACTS.map((fact, i) => [`#f${i}`, factAttribute(fact)]));
    const { scanned, truncated } = await this.scan(
      { TableName: this.tables.ordersTable, ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names },
      (item) => {
        counts[deriveOrderStatus(ORDER_FACTS.filter((fact) => item[factAttribute(fact)] !== undefined))]++;
      },
    );
    return { counts, scanned, truncated };
  }

  async notificationsSent(latest: number): Promise<BoundedCount<SentEmails>> {
    let sent = 0;
    const emails: SentEmails['latest'][number][] = [];
    const { scanned, truncated } = await this.scan(
      {
        TableName: this.tables.notificationsTable,
        ProjectionExpression: '#status, #order, #change, #subject, #sent',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#order': 'order_id',
          '#change': 'change',
          '#subject': 'subject',
          '#sent': 'sent_at',
        },
      },
      (item) => {
        if (item.status !== 'sent') return;
        sent++;
        if (typeof item.sent_at !== 'string') return;
        emails.push({
          order_id: String(item.order_id ?? ''),
          change: String(item.change ?? ''),
          subject: String(item.subject ?? ''),
          sent_at: item.sent_at,
        });
      },
    );
    emails.sort((a, b) => b.sent_at.localeCompare(a.sent_at));
    return { counts: { sent, latest: emails.slice(0, latest) }, scanned, truncated };
  }

  private async scan(
    input: { TableName: string; ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
    visit: (item: Item) => void,
  ): Promise<{ scanned: number; truncated: boolean }> {
    let scanned = 0;
    let start: Item | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ ...input, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) visit(item);
      scanned += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start && scanned < MAX_SCANNED_ITEMS);
    return { scanned, truncated: start !== undefined };
  }
}

