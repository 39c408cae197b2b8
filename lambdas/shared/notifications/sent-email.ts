/**
 * A sent email as the notifications table (TABLES.notifications) keeps it, beside `status: 'sent'`:
 * written by the notification function, listed by the analytics API. Enough for an operator to see
 * what went out; neither the recipient's address nor the body.
 */
export interface SentEmail {
  readonly order_id: string;
  /** The order change it announced: confirmed, shipped, payment_declined, cancelled or refunded. */
  readonly change: string;
  readonly subject: string;
  /** The provider's id: SES's MessageId (the SES v2 stand-in's, locally). */
  readonly message_id: string;
  /** ISO 8601. */
  readonly sent_at: string;
}
