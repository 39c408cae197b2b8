import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SmtpEmailSender, notificationIdOf } from '../../lambdas/notifications/adapters/smtp-email-sender';
import { caughtMessageIds, caughtMessages } from '../../local/runtime/services/smtp/mail-catcher';
import { useMailCatcher } from '../support/mail-catcher';

const email = (over: Partial<{ to: string; subject: string; text: string; idempotencyKey: string }> = {}) => ({
  to: '123@example.com',
  subject: 'Your order is confirmed (order 12345)',
  text: 'We have received your payment.\n\nOrder 12345:\n  2 x abc at 49.50',
  idempotencyKey: '12345#confirmed',
  ...over,
});

/** The headers of a caught message, unfolded, and its body as received. */
function parse(file: string): { headers: Record<string, string>; body: string; raw: string } {
  const raw = readFileSync(file, 'latin1');
  const split = raw.indexOf('\r\n\r\n');
  const headers = Object.fromEntries(
    raw
      .slice(0, split)
      .replace(/\r\n[ \t]+/g, ' ')
      .split('\r\n')
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { headers, body: raw.slice(split + 4), raw };
}

/** RFC 2047 B-encoded words back to text (what a mail client shows). */
const decodeWords = (value: string) =>
  value.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/g, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));

describe('SmtpEmailSender against the mail catcher (smtp-server)', () => {
  const catcher = useMailCatcher();

  it('GIVEN a notification email WHEN sent THEN the catcher keeps one RFC 5322 message with its MIME headers and the notification id as Message-ID', async () => {
    const sender = new SmtpEmailSender(catcher.current.url, 'shop@example.com');

    const { messageId } = await sender.send(email());

    expect(messageId).toBe('<12345%23confirmed@example.com>');
    const [file] = caughtMessages(catcher.current.mailDir);
    const { headers, body } = parse(file!);
    expect(headers).toMatchObject({
      from: 'shop@example.com',
      to: '123@example.com',
      subject: 'Your order is confirmed (order 12345)',
      'message-id': messageId,
      'mime-version': '1.0',
      'content-type': 'text/plain; charset=utf-8',
      'content-transfer-encoding': '7bit',
    });
    expect(headers.date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(Date.parse(headers.date!) - Date.now())).toBeLessThan(60_000);
    expect(body).toBe('We have received your payment.\r\n\r\nOrder 12345:\r\n  2 x abc at 49.50\r\n');
    expect(caughtMessageIds(catcher.current.mailDir).map((m) => notificationIdOf(m.messageId!))).toEqual([
      '12345#confirmed',
    ]);
  });

  it('GIVEN a UTF-8 subject and body WHEN sent THEN the subject travels as RFC 2047 words and the body as base64, both decoding to the text', async () => {
    const subject = `Ihre Bestellung ist unterwegs – Größe ÄÖÜ ✓ ${'€'.repeat(30)}`;
    const text = 'Grüße aus dem Lager.\n1 × Teekanne at 12.00';
    await new SmtpEmailSender(catcher.current.url, 'shop@example.com').send(email({ subject, text }));

    const { headers, body, raw } = parse(caughtMessages(catcher.current.mailDir)[0]!);
    expect([...raw].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(raw.split('\r\n').every((line) => line.length <= 78)).toBe(true);
    expect(decodeWords(headers.subject!)).toBe(subject);
    expect(headers['content-transfer-encoding']).toBe('base64');
    expect(Buffer.from(body, 'base64').toString('utf8')).toBe(text);
  });

  it('GIVEN body lines that start with a dot, one a lone dot WHEN sent THEN they arrive as written (dot-stuffed on the wire)', async () => {
    const text = '.\n..two\n.three\nend';
    await new SmtpEmailSender(catcher.current.url, 'shop@example.com').send(email({ text }));

    expect(parse(caughtMessages(catcher.current.mailDir)[0]!).body).toBe('.\r\n..two\r\n.three\r\nend\r\n');
  });

  it('GIVEN several emails sent at once WHEN each has its own connection THEN every one is caught once', async () => {
    const sender = new SmtpEmailSender(catcher.current.url, 'shop@example.com');

    await Promise.all([1, 2, 3, 4, 5].map((n) => sender.send(email({ idempotencyKey: `o${n}#shipped` }))));

    const ids = caughtMessageIds(catcher.current.mailDir).map((m) => notificationIdOf(m.messageId!));
    expect(ids.sort()).toEqual(['o1#shipped', 'o2#shipped', 'o3#shipped', 'o4#shipped', 'o5#shipped']);
  });

  it('GIVEN a recipient with a line break in it WHEN sent THEN it is refused before any connection', async () => {
    await expect(
      new SmtpEmailSender(catcher.current.url, 'shop@example.com').send(
        email({ to: 'a@example.com\r\nRCPT TO:<b@example.com>' }),
      ),
    ).rejects.toThrow(/recipient address is not a plain/);
    expect(caughtMessages(catcher.current.mailDir)).toEqual([]);
  });
});

describe('SmtpEmailSender against a misbehaving server', () => {
  let server: Server;
  let url: string;
  let heard: string[];
  const sockets = new Set<Socket>();

  /**
   * A server that greets, then answers each command with what `answer` returns (nothing: silence).
   * Between a 354 and the lone dot it only listens, as a server reading a message does.
   */
  async function fakeServer(answer: (command: string) => string | undefined, greeting = '220 fake ESMTP') {
    heard = [];
    server = createServer((socket: Socket) => {
      sockets.add(socket);
      socket.write(`${greeting}\r\n`);
      let buffered = '';
      let inData = false;
      socket.on('data', (data) => {
        buffered += data.toString('latin1');
        let end: number;
        while ((end = buffered.indexOf('\r\n')) >= 0) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          heard.push(line);
          if (inData && line !== '.') continue;
          const reply = answer(line);
          inData = reply?.startsWith('354') ?? false;
          if (reply !== undefined) socket.write(reply);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (!server.listening) return;
    await new Promise((resolve) => server.close(resolve));
  });

  it('GIVEN a server that refuses the recipient WHEN sent THEN the send fails with the reply code and text, and no DATA is sent', async () => {
    await fakeServer((line) => (line.startsWith('RCPT') ? '550 5.1.1 no such user\r\n' : '250-fake\r\n250 OK\r\n'));

    const failure = new SmtpEmailSender(url, 'shop@example.com').send(email());

    await expect(failure).rejects.toMatchObject({
      name: 'SmtpError',
      replyCode: 550,
      message: 'The SMTP server refused RCPT with 550: 5.1.1 no such user',
    });
    expect(heard).toEqual(['EHLO example.com', 'MAIL FROM:<shop@example.com>', 'RCPT TO:<123@example.com>']);
  });

  it('GIVEN a server that is busy WHEN greeted with 421 THEN the send fails with it', async () => {
    await fakeServer(() => '250 OK\r\n', '421 busy, try later');

    await expect(new SmtpEmailSender(url, 'shop@example.com').send(email())).rejects.toMatchObject({ replyCode: 421 });
  });

  it('GIVEN a server from before ESMTP WHEN EHLO is unknown to it THEN the sender greets with HELO and sends', async () => {
    const replies: Record<string, string> = { EHLO: '502 unknown', DATA: '354 go', QUIT: '221 bye' };
    await fakeServer((line) => `${replies[line.split(' ', 1)[0]!] ?? '250 OK'}\r\n`);

    await new SmtpEmailSender(url, 'shop@example.com').send(email());

    expect(heard.slice(0, 3)).toEqual(['EHLO example.com', 'HELO example.com', 'MAIL FROM:<shop@example.com>']);
    expect(heard).toContain('Subject: Your order is confirmed (order 12345)');
    expect(heard.slice(-2)).toEqual(['.', 'QUIT']);
  });

  it('GIVEN a server that stops answering WHEN a reply is due THEN the send fails after the timeout as ETIMEDOUT (a passing failure)', async () => {
    await fakeServer((line) => (line.startsWith('EHLO') ? '250 OK\r\n' : undefined));

    const failure = new SmtpEmailSender(url, 'shop@example.com', { timeoutMs: 200 }).send(email());

    await expect(failure).rejects.toMatchObject({ name: 'SmtpError', code: 'ETIMEDOUT' });
    await expect(failure).rejects.toThrow(/did not answer within 200 ms/);
  });

  it('GIVEN no server on the port WHEN sent THEN the send fails with the connection error code', async () => {
    await fakeServer(() => undefined);
    await new Promise((resolve) => server.close(resolve));

    await expect(new SmtpEmailSender(url, 'shop@example.com').send(email())).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('GIVEN an SMTP URL with credentials or another scheme WHEN constructed THEN it is refused with the expected form', () => {
    expect(() => new SmtpEmailSender('smtps://127.0.0.1:465', 'shop@example.com')).toThrow(/smtp:\/\/host\[:port\]/);
    expect(() => new SmtpEmailSender('smtp://user:pw@127.0.0.1:25', 'shop@example.com')).toThrow(/no credentials/);
  });
});
