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
  notifications: { partitionKey: 'notification_id', envVar: 'NOTIFICATIONS_TABLE', stream: false },
} as const;

export type TableId = keyof typeof TABLES;

/**
 * The stock table keeps each restock's idempotency marker next to the product levels, under keys
 * with this prefix. No product id may start with it (the schemas in events.ts reject one), so a
 * marker can never be read or overwritten as a product's stock.
 */
export const STOCK_MARKER_PREFIX = 'restock#';
