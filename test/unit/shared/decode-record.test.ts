import { jsonDepth, MAX_EVENT_DEPTH } from '../../../lambdas/shared/json-depth';
import { decodeRecord, MAX_EVENT_BYTES } from '../../../lambdas/shared/kafka/msk-event';
import { PoisonRecordError } from '../../../lambdas/shared/errors';
import { mskEvent } from '../../support/msk';
import { orderCreated as orderCreatedEvent } from '../../support/events';
import { thrownBy } from '../../support/thrown';

const orderCreated = orderCreatedEvent({ order_id: 'o-1' });

function firstRecord(spec: Parameters<typeof mskEvent>[0][number]) {
  return Object.values(mskEvent([spec]).records)[0]![0]!;
}

const reasonOf = (record: ReturnType<typeof firstRecord>): string =>
  thrownBy(PoisonRecordError, () => decodeRecord(record)).reason;

describe('decodeRecord', () => {
  it('GIVEN a valid OrderCreated record WHEN decoded THEN returns the typed event with extra fields kept', () => {
    const event = decodeRecord(
      firstRecord({ topic: 'orders', key: 'o-1', value: { ...orderCreated, channel: 'web' } }),
    );
    expect(event).toMatchObject({ event_type: 'OrderCreated', order_id: 'o-1', channel: 'web' });
  });

  it.each([
    ['a null value', { topic: 'orders', value: null }, /missing value/],
    ['an empty value', { topic: 'orders', value: '' }, /missing value/],
    ['a value that is not JSON', { topic: 'orders', value: '{"event_type":' }, /not UTF-8 JSON/],
    ['a JSON array', { topic: 'orders', value: [1, 2] }, /schema violation/],
    [
      'an unknown event type',
      { topic: 'orders', value: { ...orderCreated, event_type: 'OrderExploded' } },
      /unknown event_type "OrderExploded" on topic orders/,
    ],
    [
      'an event type of another topic',
      { topic: 'orders', value: { ...orderCreated, event_type: 'StockReserved' } },
      /unknown event_type "StockReserved"/,
    ],
    [
      'a negative quantity',
      { topic: 'orders', value: { ...orderCreated, items: [{ product_id: 'p', quantity: -1, unit_price: 1 }] } },
      /items\.0\.quantity/,
    ],
    [
      'a timestamp that is not ISO-8601',
      { topic: 'orders', value: { ...orderCreated, timestamp: 'yesterday' } },
      /timestamp/,
    ],
    ['a missing order_id', { topic: 'orders', value: { ...orderCreated, order_id: undefined } }, /order_id/],
    ['an unknown topic', { topic: 'nope', value: orderCreated }, /unknown topic "nope"/],
  ])('GIVEN %s WHEN decoded THEN it is a poison record with a clear reason', (_name, spec, reason) => {
    expect(reasonOf(firstRecord(spec))).toMatch(reason);
  });

  it('GIVEN a value that is not base64 WHEN decoded THEN the reason says so', () => {
    const record = { ...firstRecord({ topic: 'orders', value: orderCreated }), value: '%%%not-base64%%%' };
    expect(reasonOf(record)).toMatch(/not valid base64/);
  });

  it('GIVEN bytes that are not UTF-8 WHEN decoded THEN the reason says so', () => {
    const record = {
      ...firstRecord({ topic: 'orders', value: orderCreated }),
      value: Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'),
    };
    expect(reasonOf(record)).toMatch(/not UTF-8 JSON/);
  });

  it('GIVEN a value over the size limit WHEN decoded THEN it is rejected as oversize before parsing', () => {
    const huge = { ...orderCreated, padding: 'x'.repeat(MAX_EVENT_BYTES) };
    expect(reasonOf(firstRecord({ topic: 'orders', value: huge }))).toMatch(/oversize value: \d+ bytes, limit 262144/);
  });

  it('GIVEN a value nested 50,000 deep WHEN decoded THEN it is poison with the depth as reason, and nothing recursive ever walks it', () => {
    const deep = `{"event_type":"OrderCreated","x":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    expect(reasonOf(firstRecord({ topic: 'orders', value: deep }))).toBe(
      `value nests 50001 levels deep, limit ${MAX_EVENT_DEPTH}`,
    );
  });

  it('GIVEN brackets inside strings and escaped quotes WHEN the depth is measured THEN only structure counts', () => {
    expect(jsonDepth('{"a":"[[[{{{","b":"\\"[[[","c":[{"d":1}]}')).toBe(3);
    expect(jsonDepth('"plain"')).toBe(0);
    expect(jsonDepth(JSON.stringify(orderCreated))).toBe(3);
  });
});
