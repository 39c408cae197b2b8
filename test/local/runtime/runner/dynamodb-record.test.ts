import { lambdaRecord } from '../../../../local/runtime/runner/dynamodb-stream-poller';
import { loadEvent } from '../../../support/msk';

const STREAM_ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/outbox/stream/2026-11-22T03:37:03.055';

describe('lambdaRecord', () => {
  it('GIVEN a record from the DynamoDB Streams API WHEN shaped THEN it is what Lambda delivers: epoch seconds, base64 binaries, the stream ARN and region', () => {
    const record = lambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'ddblocal',
        dynamodb: {
          ApproximateCreationDateTime: new Date('2025-04-07T12:34:56.789Z'),
          Keys: { event_id: { S: 'x' } },
          NewImage: {
            event_id: { S: 'x' },
            blob: { B: new Uint8Array([0, 255]) },
            blobs: { BS: [new Uint8Array([1])] },
            nested: { M: { inner: { B: new Uint8Array([2]) } } },
          },
          SequenceNumber: '000000000000000000001',
          SizeBytes: 40,
          StreamViewType: 'NEW_IMAGE',
        },
      },
      STREAM_ARN,
      'eu-west-1',
    );

    expect(record).toEqual({
      eventID: 'e1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1744029296,
        Keys: { event_id: { S: 'x' } },
        NewImage: {
          event_id: { S: 'x' },
          blob: { B: 'AP8=' },
          blobs: { BS: ['AQ=='] },
          nested: { M: { inner: { B: 'Ag==' } } },
        },
        OldImage: undefined,
        SequenceNumber: '000000000000000000001',
        SizeBytes: 40,
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: STREAM_ARN,
    });
  });

  it('GIVEN the sample outbox event WHEN compared with a shaped record THEN they have the same fields', () => {
    const sample = loadEvent<{ Records: Record<string, unknown>[] }>('outbox-insert.json').Records[0];

    const record = lambdaRecord(
      {
        eventID: 'e',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'ddblocal',
        dynamodb: {},
      },
      STREAM_ARN,
      'eu-west-1',
    );

    expect(Object.keys(record).sort()).toEqual(Object.keys(sample).sort());
  });
});
