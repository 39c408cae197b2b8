import { createTransport, type Transporter } from 'nodemailer';
import type { Email } from '../notification';
import type { EmailSender } from '../ports';

/**
 * Any SMTP server, such as the local runtime's mail catcher. The Message-ID derives from the
 * notification id, so that a repeated send after a crash is recognisable in the mailbox.
 */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = createTransport(smtpUrl);
  }

  async send(email: Email): Promise<{ messageId: string }> {
    const domain = this.from.split('@')[1] ?? 'localhost';
    const info = await this.transport.sendMail({
      from: this.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      messageId: messageIdOf(email.idempotencyKey, domain),
    });
    return { messageId: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}

/** The Message-ID of a notification's email: `<notification id, URI-encoded>@<sender's domain>`. */
export function messageIdOf(notificationId: string, domain: string): string {
  return `<${encodeURIComponent(notificationId)}@${domain}>`;
}

/** The notification id a Message-ID carries, or undefined when it is not one of ours. */
export function notificationIdOf(messageId: string): string | undefined {
  const localPart = /^<([^@>]+)@[^>]+>$/.exec(messageId.trim())?.[1];
  return localPart === undefined ? undefined : decodeURIComponent(localPart);
}
