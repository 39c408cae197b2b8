import type { MSKRecord } from 'aws-lambda';
import { decodeRecord } from '../../../../lambdas/shared/kafka/msk-event';
import {
  envelopeBytes,
  MAX_PAYLOAD_BYTES,
  mskEvent,
  recordPayloadBytes,
  takeBatch,
  toMskRecord,
  type FetchedRecord,
  type QueuedRecord,
} from '../../../../local/runtime/runner/kafka-event';
import { mskEvent as sampleEvent } from '../../../support/msk';
import { orderCreated } from '../../../support/events';

const source = {
  eventSourceArn: 'arn:aws:kafka:eu-west-1:000000000000:cluster/local/local',
  bootstrapServers: '127.0.0.1:9092',
};

const fetched = (overrides: Partial<FetchedRecord> = {}): FetchedRecord => ({
  topic: 'orders',
  partition: 2,
  offset: 41n,
  timestamp: 1_744_029_296_000n,
  key: Buffer.from('12345'),
  value: Buffer.from('{"event_type":"OrderCreated"}'),
  headers: [[Buffer.from('event_type'), Buffer.from('OrderCreated')]],
  ...overrides,
});

describe('toMskRecord', () => {
  it('GIVEN a fetched record WHEN shaped THEN key and value are base64, headers are byte arrays, numbers are numbers', () => {
    const record = toMskRecord(fetched(), 'CREATE_TIME');

    expect(record).toEqual({
      topic: 'orders',
      partition: 2,
      offset: 41,
      timestamp: 1_744_029_296_000,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('12345').toString('base64'),
      value: Buffer.from('{"event_type":"OrderCreated"}').toString('base64'),
      headers: [{ event_type: [...Buffer.from('OrderCreated')] }],
    });
  });

  it('GIVEN the shape the test support builds (what Lambda delivers) WHEN compared THEN both agree', () => {
    const expected = sampleEvent([
      { topic: 'orders', partition: 2, offset: 41, key: '12345', value: '{"a":1}', headers: { h: 'v' } },
    ]).records['orders-2'][0];

    const record = toMskRecord(
      fetched({
        value: Buffer.from('{"a":1}'),
        headers: [[Buffer.from('h'), Buffer.from('v')]],
        timestamp: BigInt(expected.timestamp),
      }),
      'CREATE_TIME',
    );

    expect(record).toEqual(expected);
  });

  it('GIVEN a record without key and with a null value WHEN shaped THEN the key is absent and the value stays null', () => {
    const record = toMskRecord(fetched({ key: undefined, value: null, headers: [] }), 'LOG_APPEND_TIME');

    expect('key' in record).toBe(false);
    expect(record.value).toBeNull();
    expect(record.headers).toEqual([]);
    expect(record.timestampType).toBe('LOG_APPEND_TIME');
  });

  it('GIVEN binary bytes and repeated headers WHEN shaped THEN every byte and every header is kept', () => {
    const record = toMskRecord(
      fetched({
        value: Buffer.from([0, 255, 128]),
        headers: [
          [Buffer.from('x'), Buffer.from([255, 0])],
          [Buffer.from('x'), null],
        ],
      }),
      'CREATE_TIME',
    );

    expect(Buffer.from(record.value, 'base64')).toEqual(Buffer.from([0, 255, 128]));
    expect(record.headers).toEqual([{ x: [255, 0] }, { x: [] }]);
  });

  it('GIVEN a shaped record of a valid event WHEN the shared consumer code decodes it THEN it parses', () => {
    const event = orderCreated({ order_id: '12345' });

    const record = toMskRecord(fetched({ value: Buffer.from(JSON.stringify(event)) }), 'CREATE_TIME');

    expect(decodeRecord(record)).toEqual(event);
  });
});

describe('mskEvent', () => {
  it('GIVEN records of several partitions WHEN the event is built THEN they are grouped by topic-partition in order', () => {
    const records = [
      toMskRecord(fetched({ partition: 1, offset: 5n }), 'CREATE_TIME'),
      toMskRecord(fetched({ partition: 0, offset: 9n }), 'CREATE_TIME'),
      toMskRecord(fetched({ partition: 1, offset: 6n }), 'CREATE_TIME'),
    ];

    const event = mskEvent(records, source);

    expect(event.eventSource).toBe('aws:kafka');
    expect(event.eventSourceArn).toBe(source.eventSourceArn);
    expect(event.bootstrapServers).toBe(source.bootstrapServers);
    expect(Object.keys(event.records)).toEqual(['orders-1', 'orders-0']);
    expect(event.records['orders-1'].map((r) => r.offset)).toEqual([5, 6]);
    expect(event.records['orders-0'].map((r) => r.offset)).toEqual([9]);
  });
});

describe('takeBatch', () => {
  const queued = (partition: number, offset: number, deliver = true, valueBytes = 10): QueuedRecord => {
    const record = toMskRecord(
      fetched({ partition, offset: BigInt(offset), value: Buffer.alloc(valueBytes, 'a') }),
      'CREATE_TIME',
    );
    return { record, deliver, bytes: deliver ? recordPayloadBytes(record) : 0 };
  };
  const limits = (batchSize: number, maxPayloadBytes = MAX_PAYLOAD_BYTES) => ({
    batchSize,
    maxPayloadBytes,
    envelopeBytes: envelopeBytes(source, 2),
  });
  const offsetsOf = (records: readonly MSKRecord[]) => records.map((r) => `${r.partition}:${r.offset}`);

  it('GIVEN more records than the batch size WHEN a batch is taken THEN it holds batch-size records, each partition a prefix', () => {
    const queues = new Map([
      ['orders-0', [queued(0, 0), queued(0, 1), queued(0, 2)]],
      ['orders-1', [queued(1, 0), queued(1, 1)]],
    ]);

    const batch = takeBatch(queues, limits(4));

    expect(offsetsOf(batch.deliver)).toEqual(['0:0', '0:1', '0:2', '1:0']);
    expect([...batch.lastOffsets]).toEqual([
      ['orders-0', 2],
      ['orders-1', 0],
    ]);
    expect(queues.get('orders-1')!.map((q) => q.record.offset)).toEqual([1]);
  });

  it('GIVEN filtered-out records WHEN a batch is taken THEN they are taken for the commit but neither delivered nor counted', () => {
    const queues = new Map([['orders-0', [queued(0, 0, false), queued(0, 1), queued(0, 2, false), queued(0, 3)]]]);

    const batch = takeBatch(queues, limits(1));

    expect(offsetsOf(batch.deliver)).toEqual(['0:1']);
    expect(batch.lastOffsets.get('orders-0')).toBe(2);
    expect(batch.taken).toBe(3);
    expect(queues.get('orders-0')!.map((q) => q.record.offset)).toEqual([3]);
  });

  it('GIVEN only filtered-out records WHEN a batch is taken THEN nothing is delivered and all are taken for the commit', () => {
    const queues = new Map([['orders-0', [queued(0, 0, false), queued(0, 1, false)]]]);

    const batch = takeBatch(queues, limits(10));

    expect(batch.deliver).toEqual([]);
    expect(batch.lastOffsets.get('orders-0')).toBe(1);
  });

  it('GIVEN records larger in total than 6 MB WHEN a batch is taken THEN the payload stays under 6 MB', () => {
    const mb = 1024 * 1024;
    const queues = new Map([['orders-0', Array.from({ length: 8 }, (_, i) => queued(0, i, true, mb))]]);

    const batch = takeBatch(queues, limits(100));

    const payload = Buffer.byteLength(JSON.stringify(mskEvent(batch.deliver, source)));
    expect(payload).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    // base64 makes each 1 MB value about 1.33 MB: four fit, a fifth would not.
    expect(batch.deliver).toHaveLength(4);
    expect(queues.get('orders-0')).toHaveLength(4);
  });

  it('GIVEN one record larger than the payload limit WHEN a batch is taken THEN it goes alone rather than stalling its partition', () => {
    const queues = new Map([['orders-0', [queued(0, 0, true, 100), queued(0, 1)]]]);

    const batch = takeBatch(queues, limits(10, 50));

    expect(offsetsOf(batch.deliver)).toEqual(['0:0']);
  });

  it('GIVEN a rotating start WHEN batches are taken THEN each partition gets its turn first', () => {
    const queues = new Map([
      ['orders-0', [queued(0, 0), queued(0, 1)]],
      ['orders-1', [queued(1, 0), queued(1, 1)]],
    ]);

    const first = takeBatch(queues, limits(1), 0);
    const second = takeBatch(queues, limits(1), 1);

    expect(offsetsOf([...first.deliver, ...second.deliver])).toEqual(['0:0', '1:0']);
  });
});
