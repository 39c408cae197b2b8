import type { AnyEvent } from '../shared/contracts/events';
import type { Order } from '../shared/orders/order';
import { changeOf, composeEmail, EARLIER_CHANGES, notificationId, type ChangeNotice } from './notification';
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

/** What one event led to: the emails sent now (its change and earlier ones not sent yet), or its change already sent. */
export interface NotifyOutcome {
  readonly sent: readonly { readonly notice: ChangeNotice; readonly attempt: number }[];
  readonly alreadySent?: ChangeNotice;
}

/** A notification that cannot be sent yet: the record is retried by the event source mapping. */
export class NotificationPendingError extends Error {
  override name = 'NotificationPendingError';
}

/** First pause while another delivery holds a claim; doubled until its claim ends. */
const FIRST_POLL_MS = 100;

/**
 * Sends one email per order and change (I8), each change's predecessors first (EARLIER_CHANGES):
 * claim, send, complete (docs/design.md, "Notifications"). A claim holds until its invocation's
 * `deadline` (epoch ms), when Lambda has stopped that invocation. A duplicate finds the record
 * sent; a delivery that meets a live claim waits for it when the claim ends in time to send, else
 * it is retried; a crash between the send and the completion sends again once the claim has ended.
 */
export async function notifyCustomer(
  event: AnyEvent,
  deps: NotifyDependencies,
  deadline: number,
): Promise<NotifyOutcome> {
  const notice = changeOf(event);
  if (!notice) return { sent: [] };
  let order: Promise<Order> | undefined;
  const readOrder = () => (order ??= readExistingOrder(notice.order_id, deps));
  const sent: { notice: ChangeNotice; attempt: number }[] = [];
  for (const change of [...EARLIER_CHANGES[notice.change], notice.change]) {
    const step: ChangeNotice = { order_id: notice.order_id, change };
    const attempt = await sendOnce(step, deps, deadline, readOrder);
    if (attempt !== undefined) sent.push({ notice: step, attempt });
    else if (change === notice.change) return { sent, alreadySent: notice };
  }
  return { sent };
}

/** Claims, sends and completes one change; resolves with the attempt number, or undefined when it was sent already. */
async function sendOnce(
  notice: ChangeNotice,
  deps: NotifyDependencies,
  deadline: number,
  readOrder: () => Promise<Order>,
): Promise<number | undefined> {
  const id = notificationId(notice);
  let claim = await deps.log.claim(id, deps.now(), deadline);
  // Another delivery is sending it: wait while its claim ends early enough to leave time to send.
  for (
    let pause = FIRST_POLL_MS, polls = 0;
    claim.kind === 'in-flight' && claim.leaseUntil + SEND_BUDGET_MS <= deadline && polls < 20;
    pause *= 2, polls++
  ) {
    await deps.sleep(Math.max(0, Math.min(pause, claim.leaseUntil + 1 - deps.now().getTime())));
    claim = await deps.log.claim(id, deps.now(), deadline);
  }
  if (claim.kind === 'sent') return undefined;
  if (claim.kind === 'in-flight') throw new NotificationPendingError(`${id} is being sent by another delivery`);
  const order = await readOrder();
  const email = composeEmail(notice, order, await deps.customers.emailOf(order.user_id));
  const { messageId } = await deps.email.send(email);
  await deps.log.complete(id, {
    order_id: notice.order_id,
    change: notice.change,
    subject: email.subject,
    message_id: messageId,
    sent_at: deps.now().toISOString(),
  });
  return claim.attempt;
}

async function readExistingOrder(orderId: string, deps: NotifyDependencies): Promise<Order> {
  const order = await deps.orders.get(orderId);
  // The order is written before any event about it exists: a missing one is a read that must be retried.
  if (!order) throw new NotificationPendingError(`order ${orderId} not found`);
  return order;
}
