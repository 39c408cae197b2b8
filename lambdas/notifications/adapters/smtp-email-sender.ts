import { connect, type Socket } from 'node:net';
import type { Email } from '../notification';
import type { EmailSender } from '../ports';
import { assertPlainAddress, dotStuffed, formatMessage } from './smtp-message';

/** A reply the server gave to a command, or a connection that failed or went quiet. */
export class SmtpError extends Error {
  constructor(
    message: string,
    /** The reply code (4xx: try again later, 5xx: refused), when the server gave one. */
    readonly replyCode?: number,
    /** ETIMEDOUT when the server did not answer in time; the socket's own code for a network failure. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

interface Reply {
  readonly code: number;
  readonly text: string;
}

export interface SmtpEmailSenderOptions {
  /** Longest wait for the connection and for each reply; the whole send is bounded by a few of them. */
  readonly timeoutMs?: number;
}

/**
 * Plain SMTP (RFC 5321) to a server that asks for no authentication and no TLS, such as the local
 * runtime's mail catcher on 127.0.0.1; in AWS the function sends with SES instead. One connection
 * per email: EHLO, MAIL FROM, RCPT TO, DATA, QUIT. The Message-ID derives from the notification id,
 * so that a repeated send after a crash is recognisable in the mailbox.
 */
export class SmtpEmailSender implements EmailSender {
  private readonly host: string;
  private readonly port: number;
  private readonly domain: string;
  private readonly timeoutMs: number;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    options: SmtpEmailSenderOptions = {},
  ) {
    const url = new URL(smtpUrl);
    if (url.protocol !== 'smtp:' || url.username || url.password || !url.hostname) {
      throw new Error(
        `SMTP_URL must be smtp://host[:port] (plain SMTP, no credentials), got ${url.protocol}//${url.host}`,
      );
    }
    assertPlainAddress(from, 'sender');
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port ? Number(url.port) : 25;
    this.domain = from.split('@')[1]!;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(email: Email): Promise<{ messageId: string }> {
    const messageId = messageIdOf(email.idempotencyKey, this.domain);
    const message = formatMessage({
      from: this.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      messageId,
      date: new Date(),
    });
    const session = await SmtpSession.open(this.host, this.port, this.timeoutMs);
    try {
      await session.expect('greeting', [220]);
      // A server from before ESMTP answers EHLO with 500 or 502: greet it with HELO (RFC 5321 3.2).
      const ehlo = await session.command(`EHLO ${this.domain}`, [250, 500, 502]);
      if (ehlo.code !== 250) await session.command(`HELO ${this.domain}`, [250]);
      await session.command(`MAIL FROM:<${this.from}>`, [250]);
      await session.command(`RCPT TO:<${email.to}>`, [250, 251]);
      await session.command('DATA', [354]);
      await session.command(dotStuffed(message), [250], 'the message');
    } catch (error) {
      session.destroy();
      throw error;
    }
    // Accepted: a failing QUIT no longer concerns the email.
    await session.command('QUIT').catch(() => undefined);
    session.destroy();
    return { messageId };
  }
}

/** One connection: commands written one at a time, each answered by one (possibly multiline) reply. */
class SmtpSession {
  private buffered = '';
  /** The lines of a multiline reply read so far. */
  private lines: string[] = [];
  private readonly replies: Reply[] = [];
  private waiting: { resolve(reply: Reply): void; reject(error: Error): void } | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => this.receive(data));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      this.fail(new SmtpError(`SMTP connection failed: ${error.message}`, undefined, error.code)),
    );
    socket.on('close', () =>
      this.fail(new SmtpError('The SMTP server closed the connection', undefined, 'ECONNRESET')),
    );
  }

  static open(host: string, port: number, timeoutMs: number): Promise<SmtpSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, timeout: timeoutMs });
      const session = new SmtpSession(socket);
      // The idle timer covers the connection attempt and every wait for a reply after it.
      socket.on('timeout', () =>
        session.fail(
          new SmtpError(
            `The SMTP server at ${host}:${port} did not answer within ${timeoutMs} ms`,
            undefined,
            'ETIMEDOUT',
          ),
        ),
      );
      socket.once('connect', () => resolve(session));
      socket.once('close', () => reject(session.failure));
    });
  }

  /** Sends one command (or the message) and waits for its reply; throws unless its code is one of `accepted`. */
  async command(line: string, accepted?: readonly number[], what = line.split(/[\s:]/, 1)[0]!): Promise<Reply> {
    if (this.failure) throw this.failure;
    this.socket.write(line.endsWith('\r\n') ? line : `${line}\r\n`, 'latin1');
    return this.expect(what, accepted);
  }

  async expect(what: string, accepted?: readonly number[]): Promise<Reply> {
    const reply = await this.nextReply();
    if (accepted && !accepted.includes(reply.code)) {
      throw new SmtpError(`The SMTP server refused ${what} with ${reply.code}: ${reply.text}`, reply.code);
    }
    return reply;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private nextReply(): Promise<Reply> {
    const reply = this.replies.shift();
    if (reply) return Promise.resolve(reply);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Replies are lines `NNN-text` continued until one `NNN text` (RFC 5321 4.2.1). */
  private receive(data: string): void {
    this.buffered += data;
    let end: number;
    while ((end = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, end).replace(/\r$/, '');
      this.buffered = this.buffered.slice(end + 1);
      const parsed = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!parsed) return this.fail(new SmtpError(`Not an SMTP reply: ${JSON.stringify(line.slice(0, 200))}`));
      this.lines.push(parsed[3]!);
      if (parsed[2] === '-') continue;
      const reply = { code: Number(parsed[1]), text: this.lines.join(' ') };
      this.lines = [];
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting.resolve(reply);
      else this.replies.push(reply);
    }
  }

  private fail(error: SmtpError): void {
    this.failure ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.failure);
    this.socket.destroy();
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
