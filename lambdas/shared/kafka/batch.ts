import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { AnyEvent } from '../contracts/events';
import { requireBoolean } from '../config';
import { ENV } from '../contracts/environment';
import { isPoison } from '../errors';
import { logger, metrics, MetricUnit } from '../observability';
import { deadLetterFor } from './dead-letter';
import { decodeRecord, recordContext, recordsByPartition, type RecordContext } from './msk-event';
import type { EventPublisher } from './publisher';

/**
 * Partial batch response of a Kafka event source mapping: each failed record is named by its
 * topic-partition and offset. Lambda resumes each partition at its lowest failed offset.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html
 */
export interface KafkaBatchResponse {
  batchItemFailures: { itemIdentifier: { partition: string; offset: number } }[];
}

export function partialBatchResponseFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return requireBoolean(ENV.partialBatchResponse, env);
}

export interface KafkaConsumerOptions {
  /** Names the consumer in logs, metrics and dead letters. */
  readonly consumer: string;
  /** Processes one decoded event; throws PoisonRecordError for a record that can never succeed. */
  readonly handle: (event: AnyEvent, context: RecordContext) => Promise<void>;
  readonly deadLetters: EventPublisher;
  /**
   * True when the mapping has ReportBatchItemFailures on: failed records are returned. When it is
   * off, Lambda would read a returned list as success, so a transient failure must throw instead.
   */
  readonly partialBatchResponse: boolean;
  readonly now?: () => Date;
}

/**
 * The batch loop shared by every Kafka consumer. Partitions are processed concurrently, records
 * within a partition strictly in offset order. A poison record is dead-lettered with its reason and
 * the partition flows on; a transient failure stops its partition so that no later record of the
 * same key overtakes it, and the failed record and everything behind it are retried.
 */
export function kafkaBatchHandler(options: KafkaConsumerOptions): (event: MSKEvent) => Promise<KafkaBatchResponse> {
  const now = options.now ?? (() => new Date());

  async function processPartition(topicPartition: string, records: readonly MSKRecord[]) {
    for (const [index, record] of records.entries()) {
      try {
        await processRecord(record);
      } catch (error) {
        logger.error('Record failed transiently; it and the records behind it will be retried', {
          consumer: options.consumer,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          error: error as Error,
        });
        metrics.addMetric('RecordsRetried', MetricUnit.Count, records.length - index);
        return records.slice(index).map((r) => ({ itemIdentifier: { partition: topicPartition, offset: r.offset } }));
      }
    }
    return [];
  }

  async function processRecord(record: MSKRecord): Promise<void> {
    try {
      await options.handle(decodeRecord(record), recordContext(record));
    } catch (error) {
      if (!isPoison(error)) throw error;
      logger.warn('Dead-lettering poison record', {
        consumer: options.consumer,
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        reason: error.reason,
      });
      await options.deadLetters.publish([deadLetterFor(record, options.consumer, error.reason, now())]);
      metrics.addMetric('RecordsDeadLettered', MetricUnit.Count, 1);
    }
  }

  return async (event) => {
    const results = await Promise.all(
      recordsByPartition(event).map(([topicPartition, records]) => processPartition(topicPartition, records)),
    );
    const batchItemFailures = results.flat();
    if (batchItemFailures.length > 0 && !options.partialBatchResponse) {
      throw new Error(`${batchItemFailures.length} record(s) failed transiently; the batch will be retried`);
    }
    return { batchItemFailures };
  };
}
