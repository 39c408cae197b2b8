import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Email } from '../notification';
import type { EmailSender } from '../ports';

/** Amazon SES (v2 API), through a configuration set that reports bounces and rejects to CloudWatch. */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet: string,
  ) {}

  async send(email: Email): Promise<{ messageId: string }> {
    const { MessageId } = await this.client.send(
      new SendEmailCommand({
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
      }),
    );
    if (!MessageId) throw new Error('SES accepted the email without a MessageId');
    return { messageId: MessageId };
  }
}
