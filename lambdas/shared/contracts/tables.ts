/**
 * The one definition of the DynamoDB tables: partition key and the environment variable that
 * carries the table name into a function. The CDK app creates the tables from it, the adapters
 * read the names from it, and the local runtime and the tests create the same tables locally.
 * Every table has a single string partition key and no sort key; a sparse index has both, strings.
 */
export const TABLES = {
  /** Order service: one item per order, status facts and history. */
  orders: { partitionKey: 'order_id', envVar: 'ORDERS_TABLE', stream: false },
  /** Order service: the transactional outbox; its stream feeds the outbox relay. */
  outbox: {
    partitionKey: 'event_id',
    envVar: 'OUTBOX_TABLE',
    stream: true,
    ttlAttribute: 'expires_at',
    /**
     * A sparse index of the entries no relay has marked published: written with `unpublished`,
     * which the mark removes, so the sweeper queries only what may be stranded (docs/design.md, "Outbox sweeper").
     */
    sparseIndex: { name: 'unpublished', partitionKey: 'unpublished', sortKey: 'created_at' },
  },
  /**
   * Order service: the product catalog, one item per product with `active` and its `prices` per
   * ISO 4217 currency. The order API prices every line from it and never trusts a client's price.
   */
  catalog: { partitionKey: 'product_id', envVar: 'CATALOG_TABLE', stream: false },
  /** Billing: one payment per order, the ledger that makes charge and refund idempotent. */
  payments: { partitionKey: 'order_id', envVar: 'PAYMENTS_TABLE', stream: false },
  /** Inventory: available units per product. */
  stock: { partitionKey: 'product_id', envVar: 'STOCK_TABLE', stream: false },
  /** Inventory: one reservation (or rejection) per order. */
  reservations: { partitionKey: 'order_id', envVar: 'RESERVATIONS_TABLE', stream: false },
  /** Shipping: one shipment per order. */
  shipments: { partitionKey: 'order_id', envVar: 'SHIPMENTS_TABLE', stream: false },
  /**
   * Analytics: per-click markers, per-minute view windows, product totals, users' recent browsing and
   * dead-letter counts, told apart by the key's prefix (docs/design.md, "Click analytics").
   */
  analytics: { partitionKey: 'pk', envVar: 'ANALYTICS_TABLE', stream: false, ttlAttribute: 'expires_at' },
  /** Notifications: one record per (order, change), the claim that makes each email go out once. */
  notifications: {
    partitionKey: 'notification_id',
    envVar: 'NOTIFICATIONS_TABLE',
    stream: false,
    /**
     * A sparse index of the sent records only (the claims lack `sent_list`), newest last: the
     * dashboard reads its latest emails with one Query instead of a Scan (docs/design.md, "Reading").
     */
    sparseIndex: { name: 'sent', partitionKey: 'sent_list', sortKey: 'sent_at' },
  },
} as const;

export type TableId = keyof typeof TABLES;

/** The one value of the notifications index's partition key: every sent email is in one list. */
export const SENT_LIST = 'sent';

/**
 * Shards of each counter many writers move at once (the analytics table's totals and minute
 * windows): each fact's transaction adds to one shard, picked by a hash of its id, and readers sum
 * them all. One item takes transactions one at a time: DynamoDB cancels a TransactWriteItems when
 * "There is an ongoing TransactWriteItems operation that conflicts with a concurrent
 * TransactWriteItems request" (reason TransactionConflict;
 * https://docs.aws.amazon.com/sdk-for-python/v1/reference/clients/dynamodb/errors/TransactionCanceledException/),
 * so N shards let N go through together (docs/design.md, "Counting exactly once").
 * `npm run bench -- --sections clicks` measures 1 shard against this value.
 */
export const ANALYTICS_COUNTER_SHARDS = 8;

/**
 * The stock table keeps each restock's idempotency marker next to the product levels, under keys
 * with this prefix. No product id may start with it (the schemas in events.ts reject one), so a
 * marker can never be read or overwritten as a product's stock.
 */
export const STOCK_MARKER_PREFIX = 'restock#';
