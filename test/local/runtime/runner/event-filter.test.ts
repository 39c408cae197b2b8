import {
  compileFilters,
  compilePattern,
  FilterPatternError,
  matchesPattern,
} from '../../../../local/runtime/runner/event-filter';
import { SUBSCRIPTIONS } from '../../../../lambdas/shared/contracts/subscriptions';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const kafkaRecord = (value: string | null) => ({
  topic: 'billing_outcome',
  partition: 0,
  offset: 7,
  timestamp: 1_700_000_000_000,
  timestampType: 'CREATE_TIME',
  value,
  headers: [],
});
/** The Kafka filter pattern Lambda applies for a subscription: its filter on the record value. */
const kafkaPattern = (filter: Record<string, unknown>) => JSON.stringify({ value: filter });

describe('Kafka record filtering (the patterns the mappings use)', () => {
  const paidOnly = compileFilters([kafkaPattern({ payment_status: ['paid'] })]);
  const cancellations = compileFilters([kafkaPattern({ event_type: ['OrderCancelled'] })]);

  it('GIVEN the paid-only filter WHEN a paid outcome arrives THEN it passes', () => {
    const record = kafkaRecord(b64(JSON.stringify({ event_type: 'BillingOutcome', payment_status: 'paid' })));

    expect(paidOnly.matchesKafkaRecord(record)).toBe(true);
  });

  it.each(['declined', 'refunded', 'PAID'])(
    'GIVEN the paid-only filter WHEN a %s outcome arrives THEN it is filtered out',
    (status) => {
      const record = kafkaRecord(b64(JSON.stringify({ event_type: 'BillingOutcome', payment_status: status })));

      expect(paidOnly.matchesKafkaRecord(record)).toBe(false);
    },
  );

  it('GIVEN the paid-only filter WHEN the value has no payment_status THEN it is filtered out', () => {
    expect(paidOnly.matchesKafkaRecord(kafkaRecord(b64('{"event_type":"BillingOutcome"}')))).toBe(false);
  });

  it('GIVEN the cancellations filter WHEN StockReserved and OrderCancelled arrive THEN only the cancellation passes', () => {
    const reserved = kafkaRecord(b64(JSON.stringify({ event_type: 'StockReserved' })));
    const cancelled = kafkaRecord(b64(JSON.stringify({ event_type: 'OrderCancelled', reason: 'out_of_stock' })));

    expect([cancellations.matchesKafkaRecord(reserved), cancellations.matchesKafkaRecord(cancelled)]).toEqual([
      false,
      true,
    ]);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html: a value whose format does not
  // match the pattern's (or is not UTF-8) is filtered on the other properties only, so with a
  // value-only pattern it reaches the function, which dead-letters it as poison.
  it.each([
    ['plain text', b64('not json at all')],
    ['non-UTF-8 bytes', Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('base64')],
    ['a null value (tombstone)', null],
  ])('GIVEN a JSON filter WHEN the value is %s THEN the record passes to the function', (_label, value) => {
    expect(paidOnly.matchesKafkaRecord(kafkaRecord(value))).toBe(true);
  });

  it('GIVEN a plain-string filter WHEN a plain value arrives THEN the filter applies to the string', () => {
    const notErrors = compileFilters(['{"value":[{"anything-but":["error"]}]}']);

    expect(notErrors.matchesKafkaRecord(kafkaRecord(b64('error')))).toBe(false);
    expect(notErrors.matchesKafkaRecord(kafkaRecord(b64('fine')))).toBe(true);
  });

  it('GIVEN a plain-string filter WHEN a JSON value arrives THEN the formats differ and the record passes', () => {
    const notErrors = compileFilters(['{"value":[{"anything-but":["error"]}]}']);

    expect(notErrors.matchesKafkaRecord(kafkaRecord(b64('{"a":1}')))).toBe(true);
  });

  it('GIVEN no filters WHEN any record arrives THEN it passes', () => {
    expect(compileFilters([]).matchesKafkaRecord(kafkaRecord(b64('{}')))).toBe(true);
  });

  it('GIVEN two filters WHEN a record matches either THEN it passes (filters are ORed)', () => {
    const either = compileFilters([kafkaPattern({ payment_status: ['paid'] }), kafkaPattern({ event_type: ['X'] })]);

    expect(either.matchesKafkaRecord(kafkaRecord(b64('{"event_type":"X"}')))).toBe(true);
    expect(either.matchesKafkaRecord(kafkaRecord(b64('{"event_type":"Y"}')))).toBe(false);
  });

  it('GIVEN every subscription filter in the contracts WHEN compiled THEN each is a valid Lambda pattern', () => {
    const filters = SUBSCRIPTIONS.filter((s) => s.filter).map((s) => kafkaPattern(s.filter!));

    expect(filters.length).toBeGreaterThan(0);
    expect(() => filters.forEach((f) => compilePattern(f))).not.toThrow();
  });
});

describe('DynamoDB stream record filtering', () => {
  const inserts = compileFilters(['{"eventName":["INSERT"]}']);

  it.each([
    ['INSERT', true],
    ['MODIFY', false],
    ['REMOVE', false],
  ])('GIVEN the insert-only filter WHEN a %s record arrives THEN it passes: %s', (eventName, passes) => {
    expect(inserts.matches({ eventName, dynamodb: { NewImage: { event_id: { S: 'e1' } } } })).toBe(passes);
  });

  it('GIVEN a filter on the new image WHEN records arrive THEN nested attribute values are matched', () => {
    const orders = compileFilters(['{"dynamodb":{"NewImage":{"topic":{"S":["orders"]}}}}']);

    expect(orders.matches({ dynamodb: { NewImage: { topic: { S: 'orders' } } } })).toBe(true);
    expect(orders.matches({ dynamodb: { NewImage: { topic: { S: 'clicks' } } } })).toBe(false);
    expect(orders.matches({ dynamodb: {} })).toBe(false);
  });
});

describe('pattern operators', () => {
  const matches = (pattern: object, event: object) => matchesPattern(compilePattern(JSON.stringify(pattern)), event);

  it.each([
    [{ a: [{ prefix: 'ord' }] }, { a: 'order' }, true],
    [{ a: [{ prefix: 'ord' }] }, { a: 'bill' }, false],
    [{ a: [{ suffix: '.gz' }] }, { a: 'x.jsonl.gz' }, true],
    [{ a: [{ 'equals-ignore-case': 'PAID' }] }, { a: 'paid' }, true],
    [{ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: 5 }, true],
    [{ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: 0 }, false],
    [{ a: [{ numeric: ['=', 3] }] }, { a: '3' }, false],
    [{ a: [{ exists: true }] }, { a: 1 }, true],
    [{ a: [{ exists: true }] }, { b: 1 }, false],
    [{ a: [{ exists: false }] }, { b: 1 }, true],
    [{ a: [{ exists: true }] }, { a: { nested: 1 } }, false],
    [{ a: [{ 'anything-but': ['x', 'y'] }] }, { a: 'z' }, true],
    [{ a: [{ 'anything-but': ['x', 'y'] }] }, { a: 'x' }, false],
    [{ a: [{ 'anything-but': 'x' }] }, {}, false],
    [{ a: [{ 'anything-but': { prefix: 'tmp' } }] }, { a: 'tmp-1' }, false],
    [{ a: [null] }, { a: null }, true],
    [{ a: [''] }, { a: '' }, true],
    [{ a: ['x'] }, { a: ['w', 'x'] }, true],
    [{ a: [1, 2] }, { a: 2 }, true],
    [{ a: { b: ['c'] } }, { a: 'not an object' }, false],
    [{ $or: [{ a: ['1'] }, { b: ['2'] }] }, { b: '2' }, true],
    [{ $or: [{ a: ['1'] }, { b: ['2'] }] }, { c: '3' }, false],
  ])('GIVEN pattern %j WHEN the event is %j THEN it matches: %s', (pattern, event, expected) => {
    expect(matches(pattern, event)).toBe(expected);
  });

  it.each([
    ['not JSON', '{value:', /not JSON/],
    ['not an object', '["a"]', /must be a JSON object/],
    ['an unknown operator', '{"a":[{"wildcard":"*"}]}', /operator "wildcard" is not one Lambda/],
    ['a scalar rule', '{"a":"x"}', /a rule must be a list/],
    ['an empty list', '{"a":[]}', /matches nothing/],
    ['a bad numeric range', '{"a":[{"numeric":[">"]}]}', /bad operand for "numeric"/],
    ['a one-branch $or', '{"$or":[{"a":["1"]}]}', /at least two patterns/],
  ])('GIVEN a pattern that is %s WHEN compiled THEN it is rejected with the reason', (_label, pattern, reason) => {
    expect(() => compilePattern(pattern)).toThrow(FilterPatternError);
    expect(() => compilePattern(pattern)).toThrow(reason);
  });
});
