import type { MSKRecord } from 'aws-lambda';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import {
  decodeObject,
  duplicateRecordIds,
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
  it('GIVEN a topic-partition and its first record WHEN named THEN the key follows the S3 sink layout with a 20-digit offset', () => {
    expect(objectKey('billing_outcome', 3, 41, Date.parse('2025-04-07T23:59:59.999Z'))).toBe(
      'billing_outcome/dt=2025-04-07/billing_outcome+3+00000000000000000041.jsonl.gz',
    );
  });

  it('GIVEN a first record just after midnight UTC WHEN named THEN dt is that UTC day, whatever the local zone', () => {
    expect(objectKey('orders', 0, 0, Date.parse('2025-04-08T00:00:00.000+00:00'))).toContain('/dt=2025-04-08/');
    expect(objectKey('orders', 0, 0, Date.parse('2025-04-08T01:30:00+02:00'))).toContain('/dt=2025-04-07/');
  });

  it("GIVEN Kafka's 'no timestamp' (-1) WHEN named THEN the key is still deterministic", () => {
    expect(objectKey('orders', 0, 7, -1)).toBe('orders/dt=1970-01-01/orders+0+00000000000000000007.jsonl.gz');
  });

  it('GIVEN offsets of one partition WHEN their keys are sorted as text THEN they are in offset order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.maxSafeNat(), { minLength: 2 }), (offsets) => {
        const keys = offsets.map((o) => objectKey('orders', 1, o, 0));
        const byOffset = [...offsets].sort((a, b) => a - b).map((o) => objectKey('orders', 1, o, 0));
        expect([...keys].sort()).toEqual(byOffset);
      }),
    );
  });
});

describe('encodeBatch / decodeObject', () => {
  it('GIVEN records of one partition WHEN encoded THEN the object is named by its first record and holds one JSON line per record', () => {
    const records = partitionRecords([{ key: '12345', value: orderCreated }, { value: orderCreated }], 120);

    const object = encodeBatch(records);

    expect(object).toMatchObject({ topic: 'orders', partition: 4, firstOffset: 120, lastOffset: 121, recordCount: 2 });
    expect(object.key).toBe(objectKey('orders', 4, 120, records[0]!.timestamp));
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

describe('duplicateRecordIds', () => {
  it('GIVEN objects that share a record WHEN checked THEN that record is reported, and disjoint objects report nothing', () => {
    const first = decodeObject(encodeBatch(partitionRecords([{ value: 1 }, { value: 2 }], 10)).body);
    const overlapping = decodeObject(encodeBatch(partitionRecords([{ value: 2 }, { value: 3 }], 11)).body);
    const next = decodeObject(encodeBatch(partitionRecords([{ value: 3 }], 12)).body);

    expect(duplicateRecordIds([first, overlapping])).toEqual(['orders-4@11']);
    expect(duplicateRecordIds([first, next])).toEqual([]);
  });
});
