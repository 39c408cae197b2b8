import { streamBatchLength } from '../../../../local/runtime/runner/dynamodb-stream-poller';
import { MAX_PAYLOAD_BYTES } from '../../../../local/runtime/runner/kafka-event';

const MB = 1024 * 1024;

/**
 * A DynamoDB stream batch stops at Lambda's payload limit: Lambda invokes when "The payload size
 * reaches 6 MB. You cannot modify this limit."
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html, "Batching behavior").
 */
describe('streamBatchLength', () => {
  it('GIVEN 100 stream records of 64 KB (one batch of the outbox relay) WHEN batched THEN the batch stops before 6 MB and the rest waits', () => {
    const records = Array.from({ length: 100 }, () => 64 * 1024);

    const taken = streamBatchLength(records, MAX_PAYLOAD_BYTES);

    expect(taken).toBe(95);
    expect(records.slice(0, taken).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(6 * MB);
    expect(records.slice(0, taken + 1).reduce((a, b) => a + b, 0)).toBeGreaterThan(6 * MB - 64);
  });

  it('GIVEN records well within the limit WHEN batched THEN all are taken', () => {
    expect(streamBatchLength([1_000, 2_000, 3_000], MAX_PAYLOAD_BYTES)).toBe(3);
    expect(streamBatchLength([], MAX_PAYLOAD_BYTES)).toBe(0);
  });

  it('GIVEN records the filters leave out WHEN batched THEN they count for nothing', () => {
    expect(streamBatchLength([3 * MB, 0, 0, 0, 3 * MB - 100], MAX_PAYLOAD_BYTES)).toBe(5);
  });

  it('GIVEN a first record over the limit by itself WHEN batched THEN it is taken alone, so that the shard does not stall', () => {
    expect(streamBatchLength([7 * MB, 10], MAX_PAYLOAD_BYTES)).toBe(1);
  });
});
