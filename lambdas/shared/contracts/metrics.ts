/**
 * The custom metrics the functions emit (Powertools, CloudWatch EMF) and the CDK app's dashboard and
 * alarms read: one definition for both sides, and the only place a metric is named (the functions'
 * `metrics` accepts these names only). Each carries the `service` dimension (functionName).
 */
export const METRICS_NAMESPACE = 'OrderPipeline';

export const METRICS = {
  // The batch loop (every Kafka consumer).
  /** A consumer dead-lettered a poison record (kafkaBatchHandler). */
  recordsDeadLettered: 'RecordsDeadLettered',
  /** Records handed back to the event source mapping after a transient failure. */
  recordsRetried: 'RecordsRetried',
  /** A record of the dead-letter topic that can never be processed: skipped with its reason, never dead-lettered again. */
  deadLettersSkipped: 'DeadLettersSkipped',
  /** Waits within an invocation for a known-transient failure (throttling, leader election) to pass. */
  transientRetries: 'TransientRetries',

  // Order API.
  ordersPlaced: 'OrdersPlaced',
  /** A request repeated under its Idempotency-Key: answered from the stored order, nothing written. */
  ordersReplayed: 'OrdersReplayed',
  invalidRequests: 'InvalidRequests',
  ordersRejected: 'OrdersRejected',
  orderPriceChanged: 'OrderPriceChanged',
  orderIdempotencyConflicts: 'OrderIdempotencyConflicts',
  orderStoreRejections: 'OrderStoreRejections',
  orderStoreUnavailable: 'OrderStoreUnavailable',
  orderApiErrors: 'OrderApiErrors',

  // Outbox relay and sweeper.
  outboxEventsRelayed: 'OutboxEventsRelayed',
  outboxRelayFailures: 'OutboxRelayFailures',
  outboxRelayLag: 'OutboxRelayLag',
  /** Published, but the mark on the outbox entry failed: the sweeper will publish it once more (harmless). */
  outboxMarkFailures: 'OutboxMarkFailures',
  /** Outbox entries the sweeper found unmarked past the threshold and re-published: a stranded order, rescued. */
  outboxEntriesSwept: 'OutboxEntriesSwept',
  /** Entries the sweeper could not publish (the broker, or a malformed entry): they stay for the next run. */
  outboxSweepFailures: 'OutboxSweepFailures',

  // Billing.
  paymentsCharged: 'PaymentsCharged',
  paymentsDeclined: 'PaymentsDeclined',
  paymentsRefunded: 'PaymentsRefunded',
  /** A charge or refund found completed by an earlier delivery: its outcome published again. */
  billingOutcomesReEmitted: 'BillingOutcomesReEmitted',
  /** A cancelled order with no paid payment: nothing to refund. */
  refundsSkipped: 'RefundsSkipped',
  /** A refund the payment provider refused for good, recorded as refund_failed: an operator settles it. */
  refundsFailed: 'RefundsFailed',
  /** A charge or refund claim met beyond the provider's key lifetime: left to the reconciler, not retried. */
  billingClaimsLeftForReconciler: 'BillingClaimsLeftForReconciler',

  // Inventory and restock.
  stockReserved: 'StockReserved',
  ordersOutOfStock: 'OrdersOutOfStock',
  /** An order found decided by an earlier delivery: its outcome published again. */
  inventoryOutcomesReEmitted: 'InventoryOutcomesReEmitted',
  stockRestocked: 'StockRestocked',
  /** A restock_id applied before: the units were not added again. */
  restocksRepeated: 'RestocksRepeated',

  // Shipping: the events it published (a redelivery that re-emits counts again).
  shipmentsCreated: 'ShipmentsCreated',
  shipmentsDispatched: 'ShipmentsDispatched',
  shipmentsCancelled: 'ShipmentsCancelled',

  // Order status: facts recorded on orders.
  ordersPaid: 'OrdersPaid',
  ordersPaymentDeclined: 'OrdersPaymentDeclined',
  ordersRefunded: 'OrdersRefunded',
  ordersReserved: 'OrdersReserved',
  ordersCancelled: 'OrdersCancelled',
  ordersShipped: 'OrdersShipped',
  orderShipmentsCreated: 'OrderShipmentsCreated',
  orderShipmentsCancelled: 'OrderShipmentsCancelled',
  orderFactDuplicates: 'OrderFactDuplicates',

  // Archive.
  recordsArchived: 'RecordsArchived',
  archiveObjectsWritten: 'ArchiveObjectsWritten',

  // Clicks and analytics.
  clicksAccepted: 'ClicksAccepted',
  clicksCounted: 'ClicksCounted',
  clickDuplicates: 'ClickDuplicates',
  lateClicks: 'LateClicks',

  // Notifications.
  notificationsSent: 'NotificationsSent',
  notificationDuplicates: 'NotificationDuplicates',
  /** The email provider refused or failed a send; the record is retried. */
  notificationFailures: 'NotificationFailures',
} as const;

/** A metric name of the contract: the only names the functions' `metrics` accepts. */
export type MetricName = (typeof METRICS)[keyof typeof METRICS];
