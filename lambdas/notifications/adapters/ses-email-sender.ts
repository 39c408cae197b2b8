import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Email } from '../notification';
import { SendOutcomeUnknownError, type EmailSender } from '../ports';

/**
 * Socket errors after which a request may have reached SES: the request timed out waiting for the
 * answer (@smithy/node-http-handler's requestTimeout error has code ETIMEDOUT), or the connection
 * broke (ECONNRESET, EPIPE). A connect timeout has no code: nothing was sent.
 */
const UNANSWERED_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

/** Amazon SES (v2 API), through a configuration set that reports bounces and rejects to CloudWatch. */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet: string,
  ) {}

  async send(email: Email): Promise<{ messageId: string }> {
    const { MessageId } = await this.client.send(this.command(email)).catch((error: unknown) => {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && UNANSWERED_CODES.has(code)) {
        throw new SendOutcomeUnknownError(`SES did not answer SendEmail (${code}): it may have sent the email`, {
          cause: error,
        });
      }
      throw error;
    });
    if (!MessageId) throw new Error('SES accepted the email without a MessageId');
    return { messageId: MessageId };
  }

  private command(email: Email): SendEmailCommand {
    return new SendEmailCommand({
      FromEmailAddress: this.from,
      Destination: { ToAddresses: [email.to] },
      ConfigurationSetName: this.configurationSet,
      Content: {
        Simple: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: email.text, Charset: 'UTF-8' } },
        },
      },
      // Tags travel to the configuration set's events: a bounce names the notification it belongs to.
      EmailTags: [{ Name: 'notification', Value: email.idempotencyKey.replace(/[^A-Za-z0-9_-]/g, '_') }],
    });
  }
}
