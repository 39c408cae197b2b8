import type { DynamoDBRecord, MSKRecord } from 'aws-lambda';
import { mskEvent, partitionKey, type EventSource } from './kafka-event';
import type { DiscardInfo } from './retry-policy';

/**
 * What Lambda sends to an event source mapping's on-failure destination when it gives up on
 * records, as the AWS documentation shows it:
 *
 * - Kafka topic destination (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html,
 *   "Record format for a Kafka destination"): one message per failed record, keyed with the
 *   record's own key, whose value holds the failure metadata and the record itself in `payload`,
 *   shaped as the invocation event. The page documents no headers, so none are added: the record's
 *   own headers are inside `payload`.
 * - SQS, SNS and S3 destinations of a Kafka mapping (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html):
 *   one document per failed batch with KafkaBatchInfo.recordsInfo per topic-partition; S3 also
 *   gets the whole invocation event as an escaped JSON string in `payload`.
 * - SQS, SNS and S3 destinations of a DynamoDB stream mapping
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html): one document
 *   per failed batch with DDBStreamBatchInfo; S3 also gets `payload`.
 * - S3 object keys (same pages): aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>.
 */

export interface FailureContext {
  readonly functionArn: string;
  readonly now: Date;
}

interface Metadata {
  readonly requestContext: {
    readonly requestId: string | null;
    readonly functionArn: string;
    readonly condition: string;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
}

/** The Kafka-destination page names the exhausted condition RetriesExhausted; the SQS/SNS/S3 pages RetryAttemptsExhausted. */
function metadata(
  info: DiscardInfo,
  context: FailureContext,
  destination: 'kafka' | 'other',
  qualified: boolean,
): Metadata {
  const outcome = info.lastOutcome;
  const exhausted = destination === 'kafka' ? 'RetriesExhausted' : 'RetryAttemptsExhausted';
  return {
    requestContext: {
      requestId: outcome?.requestId ?? null,
      functionArn: qualified ? `${context.functionArn}:$LATEST` : context.functionArn,
      condition: info.condition === 'RetriesExhausted' ? exhausted : info.condition,
      approximateInvokeCount: info.approximateInvokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(outcome && !outcome.ok ? { functionError: 'Unhandled' } : {}),
    },
    version: '1.0',
    timestamp: context.now.toISOString(),
  };
}

export interface KafkaFailureMessage {
  /** The original record's key bytes; undefined when it had none (then partitions are round-robin). */
  readonly key?: Buffer;
  readonly value: string;
}

/**
 * Largest on-failure message the local destination writes: under the broker's default
 * `message.max.bytes` (1 MiB), which a near-limit record's base64 (4/3 of its size) plus metadata exceeds.
 */
export const MAX_FAILURE_MESSAGE_BYTES = 512 * 1024;

/**
 * Messages for a Kafka topic destination: one per failed record. "Kafka destinations receive the
 * actual failed records along with failure metadata" (kafka-on-failure-destination.html). For a
 * destination with a size limit the OnFailure API reference documents the payload being dropped:
 * "If the combined size of the function request and response payload exceeds the limit, Lambda
 * will drop the payload when sending OnFailure event to the destination" (API_OnFailure.html, on
 * SNS's 256 KB). Locally, a message over MAX_FAILURE_MESSAGE_BYTES likewise keeps the metadata and
 * the record's position (topic, partition, offset, key, headers) without its value, which stays in
 * the source topic and the archive: the broker would refuse the whole, and the batch could never be given up.
 */
export function kafkaFailureMessages(
  records: readonly MSKRecord[],
  info: DiscardInfo,
  context: FailureContext & { readonly source: EventSource; readonly batch: readonly MSKRecord[] },
): KafkaFailureMessage[] {
  const payloadSize = Buffer.byteLength(JSON.stringify(mskEvent(context.batch, context.source)));
  return records.map((record) => {
    const document = (payloadRecord: MSKRecord) =>
      JSON.stringify({
        ...metadata(info, context, 'kafka', true),
        KafkaBatchInfo: {
          batchSize: context.batch.length,
          eventSourceArn: context.source.eventSourceArn,
          bootstrapServers: context.source.bootstrapServers,
          payloadSize,
          recordInfo: { offset: String(record.offset), timestamp: new Date(record.timestamp).toISOString() },
        },
        payload: mskEvent([payloadRecord], context.source),
      });
    const whole = document(record);
    const { value: _value, ...withoutValue } = record;
    const value = Buffer.byteLength(whole) <= MAX_FAILURE_MESSAGE_BYTES ? whole : document(withoutValue as MSKRecord);
    const key = (record as { key?: string }).key;
    return { key: key === undefined ? undefined : Buffer.from(key, 'base64'), value };
  });
}

/** The invocation record for an SQS, SNS (withPayload false) or S3 (withPayload true) destination of a Kafka mapping. */
export function kafkaBatchFailureRecord(
  records: readonly MSKRecord[],
  info: DiscardInfo,
  context: FailureContext & { readonly source: EventSource },
  withPayload: boolean,
): object {
  const event = mskEvent(records, context.source);
  const recordsInfo = Object.fromEntries(
    Object.entries(event.records).map(([key, partitionRecords]) => {
      const first = partitionRecords[0];
      const last = partitionRecords[partitionRecords.length - 1];
      return [
        key,
        {
          firstRecordOffset: String(first.offset),
          lastRecordOffset: String(last.offset),
          firstRecordTimestamp: new Date(first.timestamp).toISOString(),
          lastRecordTimestamp: new Date(last.timestamp).toISOString(),
        },
      ];
    }),
  );
  return {
    ...metadata(info, context, 'other', false),
    KafkaBatchInfo: {
      batchSize: records.length,
      eventSourceArn: context.source.eventSourceArn,
      bootstrapServers: context.source.bootstrapServers,
      payloadSize: Buffer.byteLength(JSON.stringify(event)),
      recordsInfo,
    },
    ...(withPayload ? { payload: JSON.stringify(event) } : {}),
  };
}

/** The invocation record for an SQS, SNS (withPayload false) or S3 (withPayload true) destination of a DynamoDB stream mapping. */
export function streamBatchFailureRecord(
  records: readonly DynamoDBRecord[],
  info: DiscardInfo,
  context: FailureContext & { readonly streamArn: string; readonly shardId: string },
  withPayload: boolean,
): object {
  const first = records[0]?.dynamodb;
  const last = records[records.length - 1]?.dynamodb;
  const arrival = (seconds: number | undefined) =>
    seconds === undefined ? null : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  return {
    ...metadata(info, context, 'other', false),
    DDBStreamBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: first?.SequenceNumber ?? null,
      endSequenceNumber: last?.SequenceNumber ?? null,
      approximateArrivalOfFirstRecord: arrival(first?.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: arrival(last?.ApproximateCreationDateTime),
      batchSize: records.length,
      streamArn: context.streamArn,
    },
    ...(withPayload ? { payload: JSON.stringify({ Records: records }) } : {}),
  };
}

/** The S3 key of an invocation record; the mapping id stands in for the ESM UUID, which a local mapping has none of. */
export function failureObjectKey(mappingId: string, shard: string, now: Date, unique: string): string {
  const iso = now.toISOString();
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19).replace(/:/g, '.')];
  return `aws/lambda/${mappingId}/${shard}/${date.replace(/-/g, '/')}/${date}T${time}-${unique}`;
}

/** The shard part of an S3 key for a Kafka batch: its first topic-partition. */
export function kafkaShardOf(records: readonly MSKRecord[]): string {
  return records.length > 0 ? partitionKey(records[0]) : 'none';
}
