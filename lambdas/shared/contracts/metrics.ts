/**
 * The custom metrics the functions emit (Powertools, CloudWatch EMF) and the CDK app's dashboard and
 * alarms read: one definition for both sides. Each carries the `service` dimension (functionName).
 */
export const METRICS_NAMESPACE = 'OrderPipeline';

export const METRICS = {
  /** A consumer dead-lettered a poison record (kafkaBatchHandler). */
  recordsDeadLettered: 'RecordsDeadLettered',
  /** Records handed back to the event source mapping after a transient failure. */
  recordsRetried: 'RecordsRetried',
  /** A record of the dead-letter topic that can never be processed: skipped with its reason, never dead-lettered again. */
  deadLettersSkipped: 'DeadLettersSkipped',
  /** Waits within an invocation for a known-transient failure (throttling, leader election) to pass. */
  transientRetries: 'TransientRetries',
  outboxEventsRelayed: 'OutboxEventsRelayed',
  outboxRelayFailures: 'OutboxRelayFailures',
  outboxRelayLag: 'OutboxRelayLag',
  /** Published, but the mark on the outbox entry failed: the sweeper will publish it once more (harmless). */
  outboxMarkFailures: 'OutboxMarkFailures',
  /** Outbox entries the sweeper found unmarked past the threshold and re-published: a stranded order, rescued. */
  outboxEntriesSwept: 'OutboxEntriesSwept',
  /** Entries the sweeper could not publish (the broker, or a malformed entry): they stay for the next run. */
  outboxSweepFailures: 'OutboxSweepFailures',
  recordsArchived: 'RecordsArchived',
  archiveObjectsWritten: 'ArchiveObjectsWritten',
  /** A refund the payment provider refused for good, recorded as refund_failed: an operator settles it. */
  refundsFailed: 'RefundsFailed',
  /** A charge or refund claim met beyond the provider's key lifetime: left to the reconciler, not retried. */
  billingClaimsLeftForReconciler: 'BillingClaimsLeftForReconciler',
  clicksAccepted: 'ClicksAccepted',
  clicksCounted: 'ClicksCounted',
  clickDuplicates: 'ClickDuplicates',
  lateClicks: 'LateClicks',
  notificationsSent: 'NotificationsSent',
  notificationDuplicates: 'NotificationDuplicates',
  /** The email provider refused or failed a send; the record is retried. */
  notificationFailures: 'NotificationFailures',
} as const;
