import { createHash, randomUUID } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562 version 5 layout over SHA-1) for an event derived from a business
 * fact, such as `billing:paid:<order_id>`. A redelivered record produces the same event again with
 * the same event_id, so every consumer downstream can recognise the duplicate.
 */
export function deterministicId(...parts: readonly (string | number)[]): string {
  const hash = createHash('sha1').update(parts.join('\u001f')).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newId(): string {
  return randomUUID();
}
