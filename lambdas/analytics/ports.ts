/** What the analytics consumer talks to: the analytics table. */

/** A click, ready to be counted: its identity, its window and what it viewed. */
export interface ClickCount {
  readonly event_id: string;
  readonly user_id: string;
  readonly product_id: string;
  /** The click's own timestamp (ISO-8601). */
  readonly clicked_at: string;
  readonly minute: string;
  readonly late: boolean;
}

export interface PaidOrderCount {
  readonly order_id: string;
  readonly minute: string;
  readonly lines: readonly { readonly product_id: string; readonly quantity: number }[];
}

export interface DeadLetterCount {
  /** Stable across redelivery: the DeadLetter's event_id, or the record's topic-partition and offset. */
  readonly id: string;
  readonly minute: string;
  /** Given up by Lambda after its retries, in this give-up (deadLetterCount): one of its records failed, the rest were behind it. */
  readonly givenUp?: { readonly group: string };
}

/** `duplicate`: an earlier delivery (or the same click at another offset) was already counted. */
export type CountResult = { readonly kind: 'counted' | 'duplicate' };

/**
 * Counters that move exactly once per fact (I7). Dead letters are counted apart: `dead_letters`
 * (records that failed) and `given_up_behind` (records Lambda gave up only for being behind one).: each method is ONE atomic write of a marker (if
 * absent) together with every counter the fact moves, so a redelivery or a duplicate changes nothing.
 */
export interface AnalyticsStore {
  countClick(click: ClickCount): Promise<CountResult>;
  countPaidOrder(order: PaidOrderCount): Promise<CountResult>;
  countDeadLetter(deadLetter: DeadLetterCount): Promise<CountResult>;
}
