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
  outboxEventsRelayed: 'OutboxEventsRelayed',
  outboxRelayFailures: 'OutboxRelayFailures',
  outboxRelayLag: 'OutboxRelayLag',
  recordsArchived: 'RecordsArchived',
  archiveObjectsWritten: 'ArchiveObjectsWritten',
  clicksAccepted: 'ClicksAccepted',
  clicksCounted: 'ClicksCounted',
  clickDuplicates: 'ClickDuplicates',
  lateClicks: 'LateClicks',
  notificationsSent: 'NotificationsSent',
  notificationDuplicates: 'NotificationDuplicates',
  /** The email provider refused or failed a send; the record is retried. */
  notificationFailures: 'NotificationFailures',
} as const;
