import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';

/**
 * The local mail catcher: a real SMTP server on 127.0.0.1, in this process, that accepts every
 * message and keeps it as an `.eml` file (the message as received) in `mailDir`. Nothing is relayed.
 */
export interface MailCatcher {
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  readonly mailDir: string;
  readonly startMs: number;
  stop(): Promise<void>;
}

export interface StartMailCatcherOptions {
  readonly mailDir: string;
  /** 0 for any free port. */
  readonly port?: number;
}

/** The `.eml` files in a catcher's directory, oldest first. */
export function caughtMessages(mailDir: string): string[] {
  try {
    return readdirSync(mailDir)
      .filter((name) => name.endsWith('.eml'))
      .sort()
      .map((name) => join(mailDir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The Message-ID header of each caught message, oldest first (undefined for a message without one). */
export function caughtMessageIds(mailDir: string): { readonly file: string; readonly messageId?: string }[] {
  return caughtMessages(mailDir).map((file) => {
    // Headers end at the first empty line; a folded header continues on lines starting with whitespace.
    const headers = readFileSync(file, 'utf8')
      .split(/\r?\n\r?\n/, 1)[0]!
      .replace(/\r?\n[ \t]+/g, ' ');
    return { file, messageId: /^message-id:\s*(.+)$/im.exec(headers)?.[1]?.trim() };
  });
}

export async function startMailCatcher(options: StartMailCatcherOptions): Promise<MailCatcher> {
  const started = Date.now();
  mkdirSync(options.mailDir, { recursive: true });
  let sequence = 0;
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS offered (a client would try it and fail on a self-signed
    // certificate), no authentication asked.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    // stop() waits this long for open sessions (a function's pooled connection) before closing them.
    closeTimeout: 1_000,
    onData(stream, _session, callback) {
      readAll(stream).then((message) => {
        // Time and a counter first, so a directory listing is in arrival order; written aside and
        // renamed, so a reader never sees half a message.
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(++sequence).padStart(6, '0')}-${randomUUID().slice(0, 8)}.eml`;
        const partial = join(options.mailDir, `.${name}.tmp`);
        writeFileSync(partial, message);
        renameSync(partial, join(options.mailDir, name));
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  // Once listening, the server's errors are its clients' (ECONNRESET when a function's process is
  // stopped mid-session): without a listener Node would end the whole command on the first one.
  server.on('error', () => undefined);
  const { port } = server.server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mailDir: options.mailDir,
    startMs: Date.now() - started,
    stop() {
      stopping ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopping;
    },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
