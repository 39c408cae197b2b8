import {
  changeOf,
  composeEmail,
  isNotifiable,
  notificationId,
  ORDER_CHANGES,
  type OrderChange,
} from '../../../lambdas/notifications/notification';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import type { Order } from '../../../lambdas/shared/orders/order';
import { TOPICS } from '../../../lambdas/shared/contracts/topics';
import type { SnapshotView } from './invariants';

/**
 * The emails of a run against what its events call for (I8 on the real mailbox): one email per
 * order and change, read from what the SES v2 stand-in accepted (the notification id recovered
 * from the subject the function composed), and expected from the outcome events on the topics.
 */
export interface NotificationsReport {
  /** Distinct order changes the topics announce for the run's orders. */
  readonly expected: number;
  /** Distinct order changes with at least one email. */
  readonly sent: number;
  /** Emails beyond the first for an order change. */
  readonly duplicates: number;
  /**
   * Of those, the ones a send that got no answer accounts for (`unanswered_sends` on the
   * notification's record): SES may have accepted it, and the retry sent again (docs/design.md,
   * "Notifications"). The others are unexplained, a failure of I8.
   */
  readonly duplicatesAfterUnansweredSend: number;
  /** Expected order changes without an email (first few). */
  readonly missing: readonly string[];
  readonly byChange: Readonly<Record<OrderChange, { readonly expected: number; readonly sent: number }>>;
}

const OUTCOME_TOPICS = [TOPICS.billingOutcome.name, TOPICS.inventoryOutcome.name, TOPICS.shipping.name] as const;

/** The notification ids the topics call for, for the given orders, in topic order. */
export function expectedNotifications(view: SnapshotView, orderIds: ReadonlySet<string>): string[] {
  const ids = new Set<string>();
  for (const topic of OUTCOME_TOPICS) {
    for (const event of view.events(topic)) {
      const outcome = event as unknown as AnyEvent;
      const notice = isNotifiable(outcome) ? changeOf(outcome) : undefined;
      if (notice && orderIds.has(notice.order_id)) ids.add(notificationId(notice));
    }
  }
  return [...ids];
}

/** The notification id of an email by its subject (`<change's subject> (order <id>)`), or undefined. */
export function notificationIdOfSubject(subject: string): string | undefined {
  const marker = '\u0000';
  const probe = { order_id: marker, items: [], amount: 0, currency: 'USD' } as unknown as Order;
  for (const change of ORDER_CHANGES) {
    const [before, after] = composeEmail({ order_id: marker, change }, probe, 'x@example.com').subject.split(marker);
    if (subject.startsWith(before) && subject.endsWith(after) && subject.length > before.length + after.length) {
      return notificationId({ order_id: subject.slice(before.length, subject.length - after.length), change });
    }
  }
  return undefined;
}

/** Emails per notification id, among the emails the mail stand-in received. */
export function sentNotifications(emails: readonly { readonly subject: string }[]): Map<string, number> {
  const sent = new Map<string, number>();
  for (const { subject } of emails) {
    const id = notificationIdOfSubject(subject);
    if (id !== undefined) sent.set(id, (sent.get(id) ?? 0) + 1);
  }
  return sent;
}

export function notificationsReport(
  view: SnapshotView,
  emails: readonly { readonly subject: string }[],
  orderIds: ReadonlySet<string>,
): NotificationsReport {
  const expected = expectedNotifications(view, orderIds);
  const sent = sentNotifications(emails);
  const byChange = Object.fromEntries(ORDER_CHANGES.map((c) => [c, { expected: 0, sent: 0 }])) as Record<
    OrderChange,
    { expected: number; sent: number }
  >;
  const unanswered = view.unansweredSends();
  let duplicates = 0;
  let explained = 0;
  const missing: string[] = [];
  for (const id of expected) {
    const change = id.slice(id.lastIndexOf('#') + 1) as OrderChange;
    const emails = sent.get(id) ?? 0;
    byChange[change].expected++;
    if (emails > 0) byChange[change].sent++;
    else missing.push(id);
    duplicates += Math.max(0, emails - 1);
    explained += Math.min(Math.max(0, emails - 1), unanswered.get(id) ?? 0);
  }
  return {
    expected: expected.length,
    sent: expected.length - missing.length,
    duplicates,
    duplicatesAfterUnansweredSend: explained,
    missing: missing.slice(0, 5),
    byChange,
  };
}
