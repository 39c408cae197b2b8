import type { MSKRecord } from 'aws-lambda';
import type { DiscardInfo } from './retry-policy';
import { mskEvent, type EventSource } from './kafka-event';

/**
 * What Lambda writes to a Kafka on-failure destination for each record it gives up on, as documented
 * in https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html ("Record format
 * for a Kafka destination"): one message per failed record, produced with the record's own key (so
 * that it lands by the same partitioning), whose value is a JSON document with the failure metadata
 * (requestContext, responseContext, version, timestamp, KafkaBatchInfo) and the record itself in
 * `payload`, shaped as the invocation event. The page documents no headers, so none are added: the
 * original record, headers included, is inside `payload`.
 */
export interface KafkaFailureMessage {
  /** The original record's key bytes; undefined when it had none (then partitions are round-robin). */
  readonly key?: Buffer;
  readonly value: string;
}

export interface KafkaFailureContext {
  readonly source: EventSource;
  readonly functionArn: string;
  /** The records of the invocation that failed (for KafkaBatchInfo). */
  readonly batch: readonly MSKRecord[];
  readonly now: Date;
}

export function kafkaFailureMessages(
  records: readonly MSKRecord[],
  info: DiscardInfo,
  context: KafkaFailureContext,
): KafkaFailureMessage[] {
  const outcome = info.lastOutcome;
  const payloadSize = Buffer.byteLength(JSON.stringify(mskEvent(context.batch, context.source)));
  return records.map((record) => {
    const document = {
      requestContext: {
        requestId: outcome?.requestId ?? null,
        functionArn: `${context.functionArn}:$LATEST`,
        condition: info.condition,
        approximateInvokeCount: info.approximateInvokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(outcome && !outcome.ok ? { functionError: 'Unhandled' } : {}),
      },
      version: '1.0',
      timestamp: context.now.toISOString(),
      KafkaBatchInfo: {
        batchSize: context.batch.length,
        eventSourceArn: context.source.eventSourceArn,
        bootstrapServers: context.source.bootstrapServers,
        payloadSize,
        recordInfo: {
          offset: String(record.offset),
          timestamp: new Date(record.timestamp).toISOString(),
        },
      },
      payload: mskEvent([record], context.source),
    };
    const key = (record as { key?: string }).key;
    return { key: key === undefined ? undefined : Buffer.from(key, 'base64'), value: JSON.stringify(document) };
  });
}
