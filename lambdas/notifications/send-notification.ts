import type { AnyEvent } from '../shared/contracts/events';
import { changeOf, composeEmail, notificationId, type ChangeNotice } from './notification';
import type { CustomerDirectory, EmailSender, NotificationLog, OrderLookup } from './ports';

export interface NotifyDependencies {
  readonly log: NotificationLog;
  readonly orders: OrderLookup;
  readonly customers: CustomerDirectory;
  readonly email: EmailSender;
  readonly now: () => Date;
  /** Waits out another delivery's claim; a timer in Lambda, instant in tests. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** What a send and its completion need after a wait: waiting is pointless without it. */
export const SEND_BUDGET_MS = 2_000;

export type NotifyOutcome =
  | { readonly kind: 'sent'; readonly notice: ChangeNotice; readonly attempt: number }
  | { readonly kind: 'already-sent'; readonly notice: ChangeNotice }
  | { readonly kind: 'not-notified' };

/** A notification that cannot be sent yet: the record is retried by the event source mapping. */
export class NotificationPendingError extends Error {
  override name = 'NotificationPendingError';
}

/**
 * Sends one email per order and change (I8): claim, send, complete (docs/design.md,
 * "Notifications"). A claim holds until its invocation's `deadline` (epoch ms), when Lambda has
 * stopped that invocation. A duplicate finds the record sent; a delivery that meets a live claim
 * waits for it when the claim ends in time to send, else it is retried; a crash between the send
 * and the completion sends again once the claim has ended.
 */
export async function notifyCustomer(
  event: AnyEvent,
  deps: NotifyDependencies,
  deadline: number,
): Promise<NotifyOutcome> {
  const notice = changeOf(event);
  if (!notice) return { kind: 'not-notified' };
  const id = notificationId(notice);
  let claim = await deps.log.claim(id, deps.now(), deadline);
  if (claim.kind === 'in-flight' && claim.leaseUntil + SEND_BUDGET_MS <= deadline) {
    await deps.sleep(Math.max(0, claim.leaseUntil - deps.now().getTime()) + 1);
    claim = await deps.log.claim(id, deps.now(), deadline);
  }
  if (claim.kind === 'sent') return { kind: 'already-sent', notice };
  if (claim.kind === 'in-flight') throw new NotificationPendingError(`${id} is being sent by another delivery`);
  const order = await deps.orders.get(notice.order_id);
  // The order is written before any event about it exists: a missing one is a read that must be retried.
  if (!order) throw new NotificationPendingError(`order ${notice.order_id} not found`);
  const email = composeEmail(notice, order, await deps.customers.emailOf(order.user_id));
  const { messageId } = await deps.email.send(email);
  await deps.log.complete(id, messageId, deps.now());
  return { kind: 'sent', notice, attempt: claim.attempt };
}
