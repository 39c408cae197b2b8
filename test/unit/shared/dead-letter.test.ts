import { createHash } from 'node:crypto';
import { DeadLetterSchema, recordKey, type DeadLetter } from '../../../lambdas/shared/contracts/events';
import {
  DEAD_LETTER_VALUE_PREFIX_BYTES,
  deadLetterFor,
  MAX_DEAD_LETTER_BYTES,
} from '../../../lambdas/shared/kafka/dead-letter';
import { mskEvent } from '../../support/msk';

const now = new Date('2026-11-29T00:00:00Z');
const recordOf = (spec: Parameters<typeof mskEvent>[0][number]) => Object.values(mskEvent([spec]).records)[0]![0]!;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('deadLetterFor', () => {
  it('GIVEN a 1 MB record WHEN dead-lettered THEN the dead letter stays under 64 KiB and names the whole record by size and SHA-256', () => {
    const value = Buffer.from(`{"event_type":"OrderCreated","pad":"${'x'.repeat(1024 * 1024)}"}`);
    const record = recordOf({ topic: 'orders', partition: 2, offset: 7, key: 'o-1', value: value.toString('utf8') });

    const { event, key } = deadLetterFor(record, 'billing', 'oversize value', now);
    const deadLetter = event as DeadLetter;

    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(deadLetter.source).toMatchObject({
      topic: 'orders',
      partition: 2,
      offset: 7,
      value_size: value.length,
      value_sha256: sha256(value),
      value_truncated: true,
    });
    expect(Buffer.from(deadLetter.source.value!, 'base64')).toEqual(value.subarray(0, DEAD_LETTER_VALUE_PREFIX_BYTES));
    expect(key).toBe('o-1');
    expect(DeadLetterSchema.safeParse(event).success).toBe(true);
  });

  it('GIVEN a small record WHEN dead-lettered THEN its value is kept whole, exactly as delivered', () => {
    const record = recordOf({ topic: 'orders', key: 'o-2', value: '{not json' });

    const deadLetter = deadLetterFor(record, 'billing', 'not JSON', now).event as DeadLetter;

    expect(deadLetter.source.value).toBe(record.value);
    expect(deadLetter.source).toMatchObject({
      value_size: 9,
      value_sha256: sha256(Buffer.from('{not json')),
      value_truncated: false,
    });
    expect(deadLetter.source.key_truncated).toBeUndefined();
  });

  it('GIVEN the worst case (huge key, huge value, huge reason) WHEN dead-lettered THEN it is still bounded and keyed by a prefix of the key', () => {
    const hugeKey = 'k'.repeat(200_000);
    const record = recordOf({ topic: 'orders', key: hugeKey, value: 'v'.repeat(2 * 1024 * 1024) });

    const { event, key } = deadLetterFor(record, 'billing', 'r'.repeat(100_000), now);

    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect((event as DeadLetter).source.key_truncated).toBe(true);
    expect(hugeKey.startsWith(key!)).toBe(true);
    expect(key!.length).toBeGreaterThan(0);
    expect((event as DeadLetter).reason.length).toBeLessThan(2_100);
  });

  it('GIVEN no room for a prefix WHEN dead-lettered THEN only the position, size and hash remain', () => {
    const value = 'x'.repeat(100);
    const deadLetter = deadLetterFor(recordOf({ topic: 'orders', value }), 'billing', 'r', now, 0).event as DeadLetter;
    expect(deadLetter.source).toMatchObject({ value: '', value_truncated: true, value_size: 100 });
  });

  it('GIVEN a tombstone (no value) WHEN dead-lettered THEN value is null with size 0', () => {
    const deadLetter = deadLetterFor(
      recordOf({ topic: 'orders', key: 'o-3', value: null }),
      'billing',
      'missing value',
      now,
    ).event as DeadLetter;
    expect(deadLetter.source).toMatchObject({ value: null, value_size: 0, value_truncated: false });
    expect(recordKey('dead_letter', deadLetter)).toBe('o-3');
  });
});
