/** What the analytics API reads: the analytics table (windows, totals, the operations counters) and the notifications' `sent` index. */
import type { MappingHops } from '../shared/analytics/hop-timings';
import type { SentEmail } from '../shared/notifications/sent-email';
import type { OrderStatus } from '../shared/orders/order-status';

export interface MinuteWindow {
  readonly minute: string;
  readonly views: number;
  readonly late: number;
  readonly paid_orders: number;
  readonly dead_letters: number;
  /** Records Lambda gave up only for being behind a failed one (not dead letters of their own). */
  readonly given_up_behind: number;
  /** Views per product in this minute. */
  readonly products: Readonly<Record<string, number>>;
}

export interface ProductTotals {
  readonly product_id: string;
  readonly views: number;
  readonly paid_orders: number;
  readonly units_sold: number;
}

export interface Totals {
  readonly clicks: number;
  readonly late_clicks: number;
  readonly paid_orders: number;
  readonly dead_letters: number;
  readonly given_up_behind: number;
}

export interface AnalyticsReader {
  /** The windows of the given minutes; a minute without any item reads as zeros. */
  minutes(minutes: readonly string[]): Promise<MinuteWindow[]>;
  products(productIds: readonly string[]): Promise<ProductTotals[]>;
  /** Product id -> when the user last viewed it. */
  recentProducts(userId: string): Promise<Readonly<Record<string, string>>>;
  totals(): Promise<Totals>;
  /** Every mapping's per-hop timings and lag over the given minutes, as its consumer recorded them. */
  hops(minutes: readonly string[]): Promise<MappingHops[]>;
}

export interface SentEmails {
  readonly sent: number;
  readonly latest: readonly Omit<SentEmail, 'message_id'>[];
}

/** The order service's figures, from counters: what they cost to read does not grow with the orders. */
export interface OperationsReader {
  ordersByStatus(): Promise<Record<OrderStatus, number>>;
  /** How many emails were sent, and the `latest` most recent of them, newest first. */
  notificationsSent(latest: number): Promise<SentEmails>;
}
