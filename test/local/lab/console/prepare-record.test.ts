import { compatibilityPartitioner, murmur2 } from '@platformatic/kafka';
import { OrderCreatedSchema } from '../../../../lambdas/shared/contracts/events';
import { prepareRecord } from '../../../../local/lab/console/prepare-record';

/** What the console producer sends: envelope completed, schema checked, key chosen, headers set. */
describe('console producer records', () => {
  const click = { user_id: 'u-1', product_id: 'abc', timestamp: '2026-11-28T12:00:00.000Z', page: '/products/abc' };

  it('GIVEN a click row without envelope WHEN prepared for clicks THEN event_type and a deterministic event_id lead, and the key is the user', () => {
    const first = prepareRecord({ line: 2, value: click }, { topic: 'clicks', validate: true });
    const again = prepareRecord({ line: 9, value: { ...click } }, { topic: 'clicks', validate: true });
    const value = JSON.parse(first.value) as Record<string, unknown>;

    expect(Object.keys(value).slice(0, 2)).toEqual(['event_type', 'event_id']);
    expect(value).toMatchObject({ event_type: 'Click', ...click });
    expect(value.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(again).toEqual(first);
    expect(first.key).toBe('u-1');
    expect(first.headers).toEqual({ event_type: 'Click', event_id: value.event_id });
  });

  it('GIVEN two clicks that differ WHEN prepared THEN their event ids differ', () => {
    const a = JSON.parse(prepareRecord({ line: 2, value: click }, { topic: 'clicks', validate: true }).value);
    const b = JSON.parse(
      prepareRecord({ line: 3, value: { ...click, product_id: 'def' } }, { topic: 'clicks', validate: true }).value,
    );
    expect(a.event_id).not.toBe(b.event_id);
  });

  it('GIVEN a value with its own envelope WHEN prepared THEN it is kept as given', () => {
    const value = { event_type: 'Click', event_id: 'e-1', ...click };
    expect(JSON.parse(prepareRecord({ line: 1, value }, { topic: 'clicks', validate: true }).value)).toEqual(value);
  });

  it('GIVEN an order row of the sample shape WHEN prepared for orders THEN it is a valid OrderCreated keyed by order_id', () => {
    const row = {
      order_id: 'o-1',
      user_id: 'u-1',
      items: [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }],
      amount: 99,
      currency: 'USD',
      payment_method: 'credit_card',
      timestamp: '2026-11-28T12:00:00Z',
    };
    const record = prepareRecord({ line: 2, value: row }, { topic: 'orders', validate: true });
    expect(OrderCreatedSchema.parse(JSON.parse(record.value))).toMatchObject(row);
    expect(record.key).toBe('o-1');
  });

  it('GIVEN an invalid click WHEN prepared THEN the error names the line, the topic and each failing field', () => {
    expect(() =>
      prepareRecord(
        { line: 12, value: { ...click, user_id: '', timestamp: 'yesterday' } },
        { topic: 'clicks', validate: true },
      ),
    ).toThrow(
      'line 12: not a valid clicks event: timestamp: Invalid ISO datetime; user_id: Too small: expected string to have >=1 characters',
    );
  });

  it('GIVEN an event of another topic WHEN prepared for clicks THEN it is refused', () => {
    expect(() =>
      prepareRecord({ line: 1, value: { event_type: 'OrderCreated', ...click } }, { topic: 'clicks', validate: true }),
    ).toThrow(/line 1: not a valid clicks event: event_type/);
  });

  it('GIVEN --no-validate WHEN an invalid value is prepared THEN it is sent exactly as given, without key', () => {
    const record = prepareRecord({ line: 1, value: { x: 1 } }, { topic: 'clicks', validate: false });
    expect(record).toEqual({ key: undefined, value: '{"x":1}', headers: {} });
  });

  it('GIVEN an explicit key, a key field and a contract key WHEN prepared THEN the explicit key wins, then the key field', () => {
    const options = { topic: 'clicks', validate: true, keyField: 'product_id' };
    expect(prepareRecord({ line: 1, key: 'k', value: click }, options).key).toBe('k');
    expect(prepareRecord({ line: 1, value: click }, options).key).toBe('abc');
  });

  it('GIVEN a topic outside the contracts WHEN a number key field is used THEN the key is its text, and a missing field is an error', () => {
    const options = { topic: 'scratch', validate: true, keyField: 'n' };
    expect(prepareRecord({ line: 1, value: { n: 7 } }, options)).toEqual({ key: '7', value: '{"n":7}', headers: {} });
    expect(() => prepareRecord({ line: 4, value: { m: 7 } }, options)).toThrow(
      'line 4: no n for the key (--key-field n)',
    );
  });

  it("GIVEN the Java client's murmur2 test vectors WHEN hashed THEN the producer's partitioner agrees with Kafka's", () => {
    // Kafka's own UtilsTest.testMurmur2 cases: a key lands where a JVM producer would put it.
    const javaVectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of javaVectors) {
      expect(murmur2(Buffer.from(key), false)).toBe(hash);
      expect(compatibilityPartitioner(undefined as never, Buffer.from(key))).toBe(hash & 0x7fffffff);
    }
  });
});
