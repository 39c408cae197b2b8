/** What the notification service talks to: its send log, the orders, the customers and an email provider. */
import type { Order } from '../shared/orders/order';
import type { SentEmail } from '../shared/notifications/sent-email';
import { TransientConditionError } from '../shared/errors';
import type { Email } from './notification';

/**
 * One record per (order, change): claimed before the send, completed after it. Each method is one
 * DynamoDB round trip (a conditional write that returns the existing record when it fails).
 */
export interface NotificationLog {
  /**
   * Claims the notification for `owner` (one delivery: its invocation's request id and its record's
   * position) until `leaseUntil` (epoch ms: when that invocation ends, after which it can no longer
   * send). Ours when absent, held by the same owner (a retry within the delivery), or held by
   * another past its lease.
   */
  claim(notificationId: string, owner: string, now: Date, leaseUntil: number): Promise<Claim>;
  complete(notificationId: string, sent: SentEmail): Promise<void>;
  /**
   * Notes on `owner`'s claim that a send went out and got no answer (SendOutcomeUnknownError): the
   * provider may have accepted it, so a second email for this change is explained, not a fault.
   * A no-op when the claim is not (or no longer) its own.
   */
  recordUnansweredSend(notificationId: string, owner: string): Promise<void>;
  /** Ends `owner`'s claim at once, nothing having been sent under it; a no-op when the claim is not (or no longer) its own. */
  release(notificationId: string, owner: string): Promise<void>;
}

export type Claim =
  /** Ours to send: new, ours already, or an earlier claim whose lease ran out without a send being recorded. */
  | { readonly kind: 'claimed'; readonly attempt: number }
  /** Sent already: a redelivery or a duplicate event; nothing to do. */
  | { readonly kind: 'sent' }
  /** Another delivery holds a live claim until `leaseUntil`: wait for it to finish. */
  | { readonly kind: 'in-flight'; readonly leaseUntil: number };

export interface OrderLookup {
  get(orderId: string): Promise<Order | undefined>;
}

/** Where a customer's email goes. */
export interface CustomerDirectory {
  emailOf(userId: string): Promise<string>;
}

/**
 * An email provider (Amazon SES v2). Resolves with the provider's message id; rejects with
 * SendOutcomeUnknownError when the request went out and no answer came back.
 */
export interface EmailSender {
  send(email: Email): Promise<{ readonly messageId: string }>;
}

/**
 * A send whose request reached the provider's connection but whose answer never came (the request
 * timed out, or the connection was reset after the request was written): the provider may or may
 * not have accepted the email. A passing failure: the record is retried, and the email sent again
 * (a customer may get the same email twice, never none), with the unanswered send on the claim.
 */
export class SendOutcomeUnknownError extends TransientConditionError {
  override name = 'SendOutcomeUnknownError';
}
