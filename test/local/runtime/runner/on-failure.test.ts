import type { DynamoDBRecord } from 'aws-lambda';
import {
  failureObjectKey,
  kafkaBatchFailureRecord,
  kafkaFailureMessages,
  MAX_FAILURE_MESSAGE_BYTES,
  streamBatchFailureRecord,
} from '../../../../local/runtime/runner/on-failure';
import { mskEvent } from '../../../support/msk';

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

  it('GIVEN a record of about 1 MB WHEN sent to a Kafka destination THEN the message keeps the metadata and the position but not the value, and fits the broker', () => {
    const big = mskEvent([
      { topic: 'orders', partition: 3, offset: 500, key: 'o-big', value: { pad: 'x'.repeat(1_000_000) } },
      { topic: 'orders', partition: 3, offset: 501, key: 'o-small', value: { a: 1 } },
    ]).records['orders-3'];
    const info = { condition: 'RetriesExhausted' as const, approximateInvokeCount: 3, reason: 'Error: boom' };

    const [large, small] = kafkaFailureMessages(big, info, { ...context, batch: big });

    expect(Buffer.byteLength(large.value)).toBeLessThanOrEqual(MAX_FAILURE_MESSAGE_BYTES);
    expect(large.key).toEqual(Buffer.from('o-big'));
    const document = JSON.parse(large.value);
    expect(document.requestContext.condition).toBe('RetriesExhausted');
    expect(document.KafkaBatchInfo.recordInfo.offset).toBe('500');
    const [record] = document.payload.records['orders-3'];
    expect(record).toMatchObject({ topic: 'orders', partition: 3, offset: 500, key: big[0].key });
    expect(record.value).toBeUndefined();
    expect(JSON.parse(small.value).payload.records['orders-3'][0].value).toBe(big[1].value);
  });
});

describe('batch invocation records (SQS, SNS, S3 destinations)', () => {
  const exhausted = {
    condition: 'RetriesExhausted' as const,
    approximateInvokeCount: 4,
    reason: 'Error: boom',
    lastOutcome: { ok: false as const, errorType: 'Error', errorMessage: 'boom', requestId: 'req-2' },
  };

  it('GIVEN a failed Kafka batch WHEN recorded for S3 THEN it has per-partition offsets and the whole event as a JSON string', () => {
    const record = kafkaBatchFailureRecord(records, exhausted, context, true) as Record<string, unknown>;

    expect(record).toMatchObject({
      requestContext: { requestId: 'req-2', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 4 },
      responseContext: { functionError: 'Unhandled' },
      KafkaBatchInfo: {
        batchSize: 2,
        recordsInfo: {
          'orders-3': {
            firstRecordOffset: '100',
            lastRecordOffset: '101',
            firstRecordTimestamp: new Date(records[0].timestamp).toISOString(),
          },
        },
      },
    });
    expect(JSON.parse(record.payload as string)).toEqual(event);
  });

  it('GIVEN a failed Kafka batch WHEN recorded for SQS THEN the records themselves are left out', () => {
    expect(kafkaBatchFailureRecord(records, exhausted, context, false)).not.toHaveProperty('payload');
  });

  it('GIVEN a failed stream batch WHEN recorded THEN it names the shard, the sequence range and the stream', () => {
    const streamRecords = [
      { eventName: 'INSERT', dynamodb: { SequenceNumber: '100', ApproximateCreationDateTime: 1_744_029_296 } },
      { eventName: 'INSERT', dynamodb: { SequenceNumber: '200', ApproximateCreationDateTime: 1_744_029_297 } },
    ] as DynamoDBRecord[];

    const record = streamBatchFailureRecord(
      streamRecords,
      exhausted,
      { ...context, streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/outbox/stream/x', shardId: 'shardId-1' },
      true,
    ) as Record<string, unknown>;

    expect(record.DDBStreamBatchInfo).toEqual({
      shardId: 'shardId-1',
      startSequenceNumber: '100',
      endSequenceNumber: '200',
      approximateArrivalOfFirstRecord: '2025-04-07T12:34:56Z',
      approximateArrivalOfLastRecord: '2025-04-07T12:34:57Z',
      batchSize: 2,
      streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/outbox/stream/x',
    });
    expect(JSON.parse(record.payload as string)).toEqual({ Records: streamRecords });
  });

  it('GIVEN an invocation record WHEN written to S3 THEN its key follows the documented naming convention', () => {
    expect(
      failureObjectKey('ArchiveDeadLetterMapping', 'dead_letter-0', new Date('2025-04-07T12:34:56.789Z'), 'u-1'),
    ).toBe('aws/lambda/ArchiveDeadLetterMapping/dead_letter-0/2025/04/07/2025-04-07T12.34.56-u-1');
  });
});
