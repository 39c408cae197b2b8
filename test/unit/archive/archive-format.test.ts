import type { MSKRecord } from 'aws-lambda';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import {
  archivedRecords,
  decodeObject,
  encodeBatch,
  objectKey,
  recordOf,
} from '../../../lambdas/archive/archive-format';
import { mskEvent } from '../../support/msk';

const orderCreated = { event_type: 'OrderCreated', event_id: 'e-1', order_id: '12345' };

function partitionRecords(
  specs: { value: unknown; key?: string | null; headers?: Record<string, string> }[],
  offset = 0,
) {
  return Object.values(
    mskEvent(specs.map((spec, i) => ({ topic: 'orders', partition: 4, offset: offset + i, ...spec }))).records,
  )[0]!;
}

describe('objectKey', () => {
  it('GIVEN a topic-partition, its first and last offsets and first record WHEN named THEN the key follows the S3 sink layout with 20-digit offsets', () => {
    expect(objectKey('billing_outcome', 3, 41, 49, Date.parse('2025-04-07T23:59:59.999Z'))).toBe(
      'billing_outcome/dt=2025-04-07/billing_outcome+3+00000000000000000041+00000000000000000049.jsonl.gz',
    );
  });

  it('GIVEN a first record just after midnight UTC WHEN named THEN dt is that UTC day, whatever the local zone', () => {
    expect(objectKey('orders', 0, 0, 0, Date.parse('2025-04-08T00:00:00.000+00:00'))).toContain('/dt=2025-04-08/');
    expect(objectKey('orders', 0, 0, 0, Date.parse('2025-04-08T01:30:00+02:00'))).toContain('/dt=2025-04-07/');
  });

  it("GIVEN Kafka's 'no timestamp' (-1) WHEN named THEN the key is still deterministic", () => {
    expect(objectKey('orders', 0, 7, 7, -1)).toBe(
      'orders/dt=1970-01-01/orders+0+00000000000000000007+00000000000000000007.jsonl.gz',
    );
  });

  it('GIVEN offset ranges of one partition WHEN their keys are sorted as text THEN they are in order of first, then last offset', () => {
    const range = fc.tuple(fc.maxSafeNat(), fc.maxSafeNat()).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
    fc.assert(
      fc.property(fc.uniqueArray(range, { minLength: 2, selector: ([a, b]) => `${a}-${b}` }), (ranges) => {
        const key = ([first, last]: readonly [number, number]) => objectKey('orders', 1, first, last, 0);
        const byOffset = [...ranges].sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(key);
        expect(ranges.map(key).sort()).toEqual(byOffset);
      }),
    );
  });

  it('GIVEN two batches of one partition that start at the same offset and end apart WHEN named THEN their keys differ', () => {
    expect(objectKey('orders', 1, 100, 149, 0)).not.toBe(objectKey('orders', 1, 100, 199, 0));
  });
});

describe('encodeBatch / decodeObject', () => {
  it('GIVEN records of one partition WHEN encoded THEN the object is named by its first and last records and holds one JSON line per record', () => {
    const records = partitionRecords([{ key: '12345', value: orderCreated }, { value: orderCreated }], 120);

    const object = encodeBatch(records);

    expect(object).toMatchObject({ topic: 'orders', partition: 4, firstOffset: 120, lastOffset: 121, recordCount: 2 });
    expect(object.key).toBe(objectKey('orders', 4, 120, 121, records[0]!.timestamp));
    expect(gunzipSync(object.body).toString('utf8').split('\n')).toHaveLength(3);
  });

  it('GIVEN JSON records WHEN encoded THEN each line keeps the record as delivered and adds the decoded key and value', () => {
    const [record] = partitionRecords([{ key: '12345', value: orderCreated, headers: { event_type: 'OrderCreated' } }]);

    const [line] = decodeObject(encodeBatch([record!]).body);

    expect(line).toEqual({
      topic: 'orders',
      partition: 4,
      offset: 0,
      timestamp: record!.timestamp,
      timestamp_type: 'CREATE_TIME',
      key: record!.key,
      value: record!.value,
      headers: [{ name: 'event_type', value: Buffer.from('OrderCreated').toString('base64') }],
      decoded: { key: '12345', value: orderCreated },
    });
  });

  it('GIVEN poison records (bad JSON, bad base64, invalid UTF-8, no value, no key) WHEN encoded THEN they are kept as delivered, without a decoded value', () => {
    const records = partitionRecords([
      { value: '{"event_type":' },
      { value: 'placeholder' },
      { value: 'placeholder' },
      { value: null, key: null },
    ]);
    records[1]!.value = 'not base64!';
    records[2]!.value = Buffer.from([0xff, 0xfe]).toString('base64');

    const lines = decodeObject(encodeBatch(records).body);

    expect(lines.map((l) => [l.value, l.decoded])).toEqual([
      [records[0]!.value, {}],
      ['not base64!', {}],
      [records[2]!.value, {}],
      [null, {}],
    ]);
    expect(lines[3]!.key).toBeNull();
  });

  it('GIVEN a value nested 50,000 deep WHEN encoded THEN it is kept as delivered, without a decoded value that would overflow the stack', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const records = partitionRecords([{ value: deep }]);

    const [line] = decodeObject(encodeBatch(records).body);

    expect(Buffer.from(line!.value!, 'base64').toString('utf8')).toBe(deep);
    expect(line!.decoded).toEqual({});
  });

  it('GIVEN any records WHEN encoded and decoded THEN every record comes back exactly as Lambda delivered it', () => {
    const spec = fc.record({
      key: fc.option(fc.string(), { nil: null }),
      value: fc.oneof(fc.jsonValue(), fc.string(), fc.constant(null)),
      headers: fc.dictionary(fc.string({ minLength: 1 }), fc.string()),
    });
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 20 }), fc.nat(), (specs, offset) => {
        const records = partitionRecords(specs, offset);

        const roundTripped = decodeObject(encodeBatch(records).body).map(recordOf);

        expect(roundTripped).toEqual(records.map((r) => JSON.parse(JSON.stringify(r)) as MSKRecord));
      }),
    );
  });

  it('GIVEN the same records twice WHEN encoded THEN the bytes are identical (a redelivery overwrites with the same object)', () => {
    const records = partitionRecords([{ key: '1', value: orderCreated }, { value: 'x' }]);
    expect(encodeBatch(structuredClone(records)).body.equals(encodeBatch(structuredClone(records)).body)).toBe(true);
  });

  it('GIVEN records of two partitions WHEN encoded as one object THEN it refuses', () => {
    const records = [
      ...partitionRecords([{ value: orderCreated }]),
      { ...partitionRecords([{ value: 1 }])[0]!, partition: 5 },
    ];
    expect(() => encodeBatch(records)).toThrow(/one topic-partition/);
    expect(() => encodeBatch([])).toThrow(/at least one record/);
  });
});

describe('archivedRecords', () => {
  it('GIVEN overlapping objects WHEN read THEN each record counts once by topic, partition and offset, and every line is counted as read', () => {
    const first = decodeObject(encodeBatch(partitionRecords([{ value: 1 }, { value: 2 }], 10)).body);
    const overlapping = decodeObject(encodeBatch(partitionRecords([{ value: 2 }, { value: 3 }], 11)).body);

    const archived = archivedRecords([first, overlapping]);

    expect([...archived.records.keys()]).toEqual(['orders-4@10', 'orders-4@11', 'orders-4@12']);
    expect(archived.lines).toBe(4);
    expect(archived.conflicts).toEqual([]);
  });

  it('GIVEN two objects holding different records at one offset WHEN read THEN that offset is reported as a conflict', () => {
    const first = decodeObject(encodeBatch(partitionRecords([{ value: 1 }, { value: 2 }], 10)).body);
    const rewritten = decodeObject(encodeBatch(partitionRecords([{ value: 'other' }], 11)).body);

    expect(archivedRecords([first, rewritten]).conflicts).toEqual(['orders-4@11']);
  });
});
