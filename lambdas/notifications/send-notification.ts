import { PoisonRecordError, TransientConditionError } from '../shared/errors';
import { withTransientRetries, type RetryPolicy, type TransientRetry } from '../shared/kafka/retry-budget';
import type { SentEmail } from '../shared/notifications/sent-email';
import type { Order } from '../shared/orders/order';
import {
  changeOf,
  composeEmail,
  EARLIER_CHANGES,
  notificationId,
  type ChangeNotice,
  type Email,
  type NotifiableEvent,
} from './notification';
import {
  SendOutcomeUnknownError,
  type CustomerDirectory,
  type EmailSender,
  type NotificationLog,
  type OrderLookup,
} from './ports';

export interface NotifyDependencies {
  readonly log: NotificationLog;
  readonly orders: OrderLookup;
  readonly customers: CustomerDirectory;
  readonly email: EmailSender;
  readonly now: () => Date;
  /** Waits between attempts at recording a sent email; a timer in Lambda, virtual in tests. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Called before each wait to record a sent email again. */
  readonly onCompletionRetry?: (retry: TransientRetry) => void;
}

/**
 * One delivery of an event: whose claims these are, and how long its invocation lasts. A claim
 * holds until `endsAt`, when Lambda stops the invocation; a send starts only with `safetyMarginMs`
 * left (the batch loop's margin), so that it and its record finish inside the invocation.
 */
export interface Delivery {
  /** The invocation's request id and the record's position: its retries take its claims again. */
  readonly owner: string;
  readonly endsAt: number;
  readonly safetyMarginMs: number;
}

/** Time kept after the last attempt to record a sent email, for the response to reach Lambda. */
const RESPONSE_MS = 1_000;
/** Recording a sent email is retried quickly: the send is never repeated for it. */
const COMPLETION_RETRIES: RetryPolicy = { baseDelayMs: 50, maxDelayMs: 1_000, safetyMarginMs: RESPONSE_MS };

/** An email sent by this delivery, and on which attempt of its claim. */
export interface SentNotice {
  readonly notice: ChangeNotice;
  readonly attempt: number;
}

/**
 * What one event led to. `sent`: the emails sent now, its change last, after earlier ones not sent
 * yet. `already-sent`: its change (`notice`) had been sent before; `sent` holds any earlier change
 * this delivery still had to send.
 */
export type NotifyOutcome =
  | { readonly kind: 'sent'; readonly sent: readonly SentNotice[] }
  | { readonly kind: 'already-sent'; readonly notice: ChangeNotice; readonly sent: readonly SentNotice[] };

/**
 * A notification that cannot be sent yet: another delivery holds it, the order is not readable
 * yet, or too little of the invocation is left to send. It passes (transient): the batch loop
 * waits for it within the invocation, and past its margin hands the record back.
 */
export class NotificationPendingError extends TransientConditionError {
  override name = 'NotificationPendingError';
}

/**
 * Sends one email per order and change (I8), each change's predecessors first (EARLIER_CHANGES):
 * claim, send, record (docs/design.md, "Notifications"). A duplicate finds the record sent; a
 * delivery that meets another's live claim waits for it (NotificationPendingError); a retry within
 * the same delivery takes its own claim again. A failed record of a sent email is retried on its
 * own, never by sending again. Only a crash (or a store down for the rest of the invocation)
 * between the provider's acceptance and the record, or a send that got no answer (recorded on the
 * claim), can send twice.
 */
export async function notifyCustomer(
  event: NotifiableEvent,
  deps: NotifyDependencies,
  delivery: Delivery,
): Promise<NotifyOutcome> {
  const notice = changeOf(event);
  let order: Promise<Order> | undefined;
  const readOrder = () => (order ??= readExistingOrder(notice.order_id, deps));
  const sent: SentNotice[] = [];
  for (const change of [...EARLIER_CHANGES[notice.change], notice.change]) {
    const step: ChangeNotice = { order_id: notice.order_id, change };
    const attempt = await sendOnce(step, deps, delivery, readOrder);
    if (attempt !== undefined) sent.push({ notice: step, attempt });
    else if (change === notice.change) return { kind: 'already-sent', notice, sent };
  }
  return { kind: 'sent', sent };
}

/** Claims, sends and records one change; resolves with the attempt number, or undefined when it was sent already. */
async function sendOnce(
  notice: ChangeNotice,
  deps: NotifyDependencies,
  delivery: Delivery,
  readOrder: () => Promise<Order>,
): Promise<number | undefined> {
  const id = notificationId(notice);
  requireTimeToSend(id, deps, delivery);
  const claim = await deps.log.claim(id, delivery.owner, deps.now(), delivery.endsAt);
  if (claim.kind === 'sent') return undefined;
  if (claim.kind === 'in-flight') {
    throw new NotificationPendingError(
      `${id} is being sent by another delivery (claimed until ${new Date(claim.leaseUntil).toISOString()})`,
    );
  }
  let email: Email;
  try {
    const order = await readOrder();
    email = composeEmail(notice, order, await deps.customers.emailOf(order.user_id));
    requireTimeToSend(id, deps, delivery);
  } catch (error) {
    // Nothing was sent under the claim: others need not wait for it to end (a retry claims it again).
    await deps.log.release(id, delivery.owner).catch(() => undefined);
    throw error;
  }
  const { messageId } = await deps.email.send(email).catch(async (error: unknown) => {
    // The provider may have accepted it: the retry sends again, and the claim says why a second email may exist.
    if (error instanceof SendOutcomeUnknownError) {
      await deps.log.recordUnansweredSend(id, delivery.owner).catch(() => undefined);
    }
    throw error;
  });
  await recordSent(
    id,
    {
      order_id: notice.order_id,
      change: notice.change,
      subject: email.subject,
      message_id: messageId,
      sent_at: deps.now().toISOString(),
    },
    deps,
    delivery,
  );
  return claim.attempt;
}

function requireTimeToSend(id: string, deps: NotifyDependencies, delivery: Delivery): void {
  const left = delivery.endsAt - deps.now().getTime();
  if (left < delivery.safetyMarginMs) {
    throw new NotificationPendingError(`${id}: ${left} ms left, under the ${delivery.safetyMarginMs} ms a send needs`);
  }
}

/** The provider accepted the email: its record is retried until the invocation ends, never the send. */
function recordSent(id: string, sent: SentEmail, deps: NotifyDependencies, delivery: Delivery): Promise<void> {
  const clock = { now: () => deps.now().getTime(), sleep: deps.sleep, random: Math.random };
  return withTransientRetries(() => deps.log.complete(id, sent), delivery.endsAt - RESPONSE_MS, {
    clock,
    policy: COMPLETION_RETRIES,
    onRetry: (retry) => deps.onCompletionRetry?.(retry),
  });
}

async function readExistingOrder(orderId: string, deps: NotifyDependencies): Promise<Order> {
  const order = await deps.orders.get(orderId);
  // The order is written before any event about it exists, and the read is strongly consistent: an
  // order it does not find never will be, so the record is dead-lettered with the reason, as the
  // status projector does, instead of being waited for until the mapping gives up.
  if (!order) throw new PoisonRecordError(`unknown order ${orderId}`);
  return order;
}
