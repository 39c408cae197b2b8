/**
 * A plain-text email as an RFC 5322 message with MIME headers (RFC 2045), ready for SMTP's DATA:
 * CRLF line endings, 7-bit clean (a non-ASCII subject as RFC 2047 encoded-words, a non-ASCII body
 * in base64), so that any SMTP server takes it without the 8BITMIME or SMTPUTF8 extensions.
 */
export interface PlainTextMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** With its angle brackets: `<id@domain>`. */
  readonly messageId: string;
  readonly date: Date;
}

/** A bare ASCII `local@domain` address: nothing a header or an SMTP command could be split or extended on. */
const PLAIN_ADDRESS = /^[^\s<>()[\]\\,;:"@]+@[^\s<>()[\]\\,;:"@]+$/;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;
/** RFC 5322 2.1.1: at most 998 characters a line. */
const MAX_LINE = 998;
/**
 * RFC 2047 2: a line with an encoded-word is at most 76 characters. 39 bytes make a 64-character
 * word, which leaves room for the `Subject: ` in front of the first one.
 */
const ENCODED_WORD_BYTES = 39;

export function assertPlainAddress(address: string, role: string): void {
  if (!PLAIN_ADDRESS.test(address) || !PRINTABLE_ASCII.test(address))
    throw new Error(`The ${role} address is not a plain local@domain address: ${JSON.stringify(address)}`);
}

export function formatMessage(message: PlainTextMessage): string {
  assertPlainAddress(message.from, 'sender');
  assertPlainAddress(message.to, 'recipient');
  if (!/^<[^\s<>]+>$/.test(message.messageId))
    throw new Error(`Not a Message-ID: ${JSON.stringify(message.messageId)}`);
  const lines = message.text.split(/\r\n|\r|\n/);
  const sevenBit = /^[\x20-\x7e\t]*$/.test(lines.join('')) && lines.every((line) => line.length <= MAX_LINE);
  const body = sevenBit ? lines.join('\r\n') : base64Lines(Buffer.from(message.text, 'utf8'));
  return [
    `Date: ${rfc5322Date(message.date)}`,
    `From: ${message.from}`,
    `To: ${message.to}`,
    `Subject: ${encodeHeaderText(message.subject)}`,
    `Message-ID: ${message.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${sevenBit ? '7bit' : 'base64'}`,
    '',
    body,
  ].join('\r\n');
}

/** RFC 5322 3.3 date-time in UTC: `Sun, 29 Nov 2026 05:40:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Printable ASCII as it is; anything else as RFC 2047 B-encoded UTF-8 words, each whole characters,
 * folded onto continuation lines. A text that merely looks like an encoded-word is encoded too.
 */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?') && text.length <= 900) return text;
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = () => {
    if (size > 0) words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  for (const character of text) {
    const bytes = Buffer.from(character, 'utf8');
    if (size + bytes.length > ENCODED_WORD_BYTES) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words.join('\r\n ');
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * The message as SMTP's DATA carries it (RFC 5321 4.5.2): a line that starts with a dot gets a
 * second one, and the end of data is a line holding a single dot.
 */
export function dotStuffed(message: string): string {
  const lines = message.split(/\r\n|\r|\n/).map((line) => (line.startsWith('.') ? `.${line}` : line));
  return `${lines.join('\r\n')}\r\n.\r\n`;
}
