/**
 * Strict decoding of the base64 and UTF-8 that Lambda events carry. Buffer.from skips characters
 * that are not base64, and a lenient TextDecoder replaces bad bytes: either would show made-up data.
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class EncodingError extends Error {
  override name = 'EncodingError';
}

export function isBase64(text: string): boolean {
  return text.length % 4 === 0 && BASE64.test(text);
}

/** The bytes of a base64 string; EncodingError when it is not base64. */
export function decodeBase64Strict(text: string): Buffer {
  if (!isBase64(text)) throw new EncodingError('not valid base64');
  return Buffer.from(text, 'base64');
}

/** The text of UTF-8 bytes; EncodingError on any invalid sequence. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (error) {
    throw new EncodingError(`not valid UTF-8: ${(error as Error).message}`);
  }
}
