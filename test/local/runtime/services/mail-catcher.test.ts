import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SmtpEmailSender } from '../../../../lambdas/notifications/adapters/smtp-email-sender';
import { caughtMessages } from '../../../../local/runtime/services/smtp/mail-catcher';
import { useMailCatcher } from '../../../support/mail-catcher';

/** The mail catcher against the notification function's SMTP client, as it sends with SMTP_URL. */
describe('mail catcher', () => {
  const catcher = useMailCatcher();

  it('GIVEN messages sent over SMTP WHEN caught THEN each is one .eml file with its headers and body, in arrival order', async () => {
    const sender = new SmtpEmailSender(catcher.current.url, 'shop@example.com');
    for (const n of [1, 2]) {
      await sender.send({
        to: `u${n}@example.com`,
        subject: `Order ${n} confirmed`,
        text: `body ${n}`,
        idempotencyKey: `o${n}#confirmed`,
      });
    }

    const files = caughtMessages(catcher.current.mailDir);
    expect(files).toHaveLength(2);
    const [first, second] = files.map((f) => readFileSync(f, 'utf8'));
    expect(first).toMatch(/^To: u1@example\.com$/m);
    expect(first).toMatch(/^Subject: Order 1 confirmed$/m);
    expect(first).toContain('body 1');
    expect(second).toMatch(/^Subject: Order 2 confirmed$/m);
  });

  it('GIVEN a directory the catcher never wrote WHEN listed THEN there are no messages', () => {
    expect(caughtMessages(join(catcher.dir, 'none'))).toEqual([]);
    expect(catcher.current.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
  });
});
