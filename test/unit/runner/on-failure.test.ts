import { kafkaFailureMessages } from '../../../lib/local/runner/on-failure';
import { mskEvent } from '../../support/msk';

const event = mskEvent([
  {
    topic: 'orders',
    partition: 3,
    offset: 100,
    key: '12345',
    value: { a: 1 },
    headers: { event_type: 'OrderCreated' },
  },
  { topic: 'orders', partition: 3, offset: 101, key: null, value: 'not json' },
]);
const records = event.records['orders-3'];
const context = {
  source: { eventSourceArn: event.eventSourceArn, bootstrapServers: event.bootstrapServers },
  functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:billing',
  batch: records,
  now: new Date('2025-04-07T12:00:00Z'),
};

describe('kafkaFailureMessages', () => {
  it('GIVEN records whose retries are exhausted WHEN sent to a Kafka destination THEN each becomes one message in the documented format', () => {
    const [first] = kafkaFailureMessages(
      records,
      {
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
        reason: 'Error: boom',
        lastOutcome: { ok: false, errorType: 'Error', errorMessage: 'boom', requestId: 'req-1' },
      },
      context,
    );

    expect(first.key).toEqual(Buffer.from('12345'));
    expect(JSON.parse(first.value)).toEqual({
      requestContext: {
        requestId: 'req-1',
        functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:billing:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2025-04-07T12:00:00.000Z',
      KafkaBatchInfo: {
        batchSize: 2,
        eventSourceArn: event.eventSourceArn,
        bootstrapServers: event.bootstrapServers,
        payloadSize: Buffer.byteLength(JSON.stringify(event)),
        recordInfo: { offset: '100', timestamp: new Date(records[0].timestamp).toISOString() },
      },
      payload: {
        eventSource: 'aws:kafka',
        eventSourceArn: event.eventSourceArn,
        bootstrapServers: event.bootstrapServers,
        records: { 'orders-3': [records[0]] },
      },
    });
  });

  it('GIVEN a record without a key that aged out WHEN sent THEN it has no key and no function error', () => {
    const messages = kafkaFailureMessages(
      [records[1]],
      { condition: 'RecordAgeExceeded', approximateInvokeCount: 0, reason: 'too old' },
      context,
    );

    expect(messages).toHaveLength(1);
    expect(messages[0].key).toBeUndefined();
    const document = JSON.parse(messages[0].value);
    expect(document.requestContext).toMatchObject({ condition: 'RecordAgeExceeded', requestId: null });
    expect(document.responseContext.functionError).toBeUndefined();
    expect(document.payload.records['orders-3'][0].offset).toBe(101);
  });
});
