/**
 * The analytics table's items, told apart by the prefix of their one key `pk` (TABLES.analytics):
 * written by the analytics consumer, read by the analytics API (docs/design.md, "Click analytics").
 */
export const ANALYTICS_KEYS = {
  /** One per click event_id: the marker that makes a click count once (I7). */
  click: (eventId: string) => `click#${eventId}`,
  /** One per paid order: its lines count once towards conversion. */
  paidOrder: (orderId: string) => `paid#${orderId}`,
  /** One per dead letter. */
  deadLetter: (id: string) => `dead_letter#${id}`,
  /** One per give-up of Lambda's (its last request and source partition): its one failed record counts as a dead letter. */
  givenUp: (group: string) => `given_up#${group}`,
  /**
   * One shard of a tumbling one-minute window: total views, late clicks, paid orders, dead letters,
   * views per product. The window is the sum of its ANALYTICS_COUNTER_SHARDS shards; shard 0 keeps
   * the key an unsharded window had, so windows written before sharding still read.
   */
  minute: (minute: string, shard = 0) => (shard === 0 ? `minute#${minute}` : `minute#${minute}#${shard}`),
  /** All-time views and paid orders of a product: its conversion. */
  product: (productId: string) => `product#${productId}`,
  /** A user's recently viewed products, one attribute per product holding the latest view time. */
  user: (userId: string) => `user#${userId}`,
  /** One shard of the all-time counters of the whole system (shard 0: the unsharded key). */
  totals: (shard = 0) => (shard === 0 ? 'totals' : `totals#${shard}`),
  /**
   * One shard of the order service's counters: orders by status, emails sent. Written with the
   * state transition they count (docs/design.md, "Reading"), summed by the analytics API.
   */
  operations: (shard: number) => `operations#${shard}`,
  /**
   * One shard of a minute's per-hop timings: the consumers' wait, invocation and lag histograms per
   * mapping (hop-timings.ts), one UpdateItem per invocation.
   */
  hops: (minute: string, shard: number) => `hops#${minute}#${shard}`,
  /** One per order fact whose status change the operations counters took in: it makes that change count once. */
  statusChange: (orderId: string, fact: string) => `status#${orderId}#${fact}`,
} as const;

/** Every shard's key of one counter, shard 0 first: what a reader sums. */
export function counterShards(key: (shard: number) => string, shards: number): string[] {
  return Array.from({ length: shards }, (_, shard) => key(shard));
}

/**
 * The shard a fact's counters go to: a hash (32-bit FNV-1a) of its id, so that concurrent facts
 * spread over the shards and a redelivered one lands on the same shard as its first delivery.
 */
export function counterShard(id: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

/** The attribute of a minute item that counts one product's views: `v#<product_id>`. */
export const PRODUCT_VIEWS_PREFIX = 'v#';
/** The attribute of a user item that holds when a product was last viewed: `r#<product_id>`. */
export const RECENT_PRODUCT_PREFIX = 'r#';

/** `2026-11-28T23:59`: the UTC minute of an instant, the name of its tumbling window. */
export function minuteOf(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 16);
}

/** The `count` minutes ending with (and including) the minute of `end`, oldest first. */
export function lastMinutes(end: Date, count: number): string[] {
  const last = Math.floor(end.getTime() / 60_000) * 60_000;
  return Array.from({ length: count }, (_, i) => minuteOf(last - (count - 1 - i) * 60_000));
}

/** Minute windows are kept two days, long enough for the sliding hour and a day of charts. */
export const MINUTE_RETENTION_SECONDS = 2 * 24 * 60 * 60;
/**
 * Markers outlive the topic's 7-day retention: a record can only be delivered again, or written again
 * at a new offset by a retrying producer, while the topic still holds it.
 */
export const MARKER_RETENTION_SECONDS = 8 * 24 * 60 * 60;
/** A user's recent browsing is forgotten 30 days after their last view. */
export const USER_RETENTION_SECONDS = 30 * 24 * 60 * 60;
