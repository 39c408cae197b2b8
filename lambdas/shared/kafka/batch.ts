import type { MSKEvent, MSKRecord } from 'aws-lambda';
import type { AnyEvent } from '../contracts/events';
import { requireBoolean } from '../config';
import { ENV } from '../contracts/environment';
import { METRICS } from '../contracts/metrics';
import { TOPICS } from '../contracts/topics';
import { classifyError, PoisonRecordError } from '../errors';
import { logger, metrics, MetricUnit } from '../observability';
import { deadLetterFor } from './dead-letter';
import { decodeRecord, recordContext, recordsByPartition, recordSpan, type RecordContext } from './msk-event';
import { withPublishBound } from './publish-deadline';
import { inTrace } from '../trace-context';
import type { EventPublisher } from './publisher';
import {
  DEFAULT_RETRY_POLICY,
  invocationDeadline,
  retryDeadline,
  systemClock,
  withTransientRetries,
  type Clock,
  type InvocationContext,
  type InvocationDeadline,
  type RetryPolicy,
} from './retry-budget';

export type EventType = AnyEvent['event_type'];
export type EventOf<T extends EventType> = Extract<AnyEvent, { readonly event_type: T }>;

/** A partition's records grouped by key (null keys together), each group in offset order. */
function recordsByKey(records: readonly MSKRecord[]): Map<string, MSKRecord[]> {
  const byKey = new Map<string, MSKRecord[]>();
  for (const record of records) {
    const key = record.key ?? '';
    const queue = byKey.get(key);
    if (queue) queue.push(record);
    else byKey.set(key, [record]);
  }
  return byKey;
}

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

export interface KafkaConsumerOptions<T extends EventType> {
  /** Names the consumer in logs, metrics and dead letters. */
  readonly consumer: string;
  /** The event types the consumer processes: a record of any other type is dead-lettered with that reason. */
  readonly eventTypes: readonly T[];
  /** Processes one decoded event; throws PoisonRecordError for a record that can never succeed (see classifyError). */
  readonly handle: (event: EventOf<T>, context: RecordContext) => Promise<void>;
  /** Topics whose records are not decoded: `raw.handle` reads them from `context.record` instead. */
  readonly raw?: { readonly topics: readonly string[]; readonly handle: (context: RecordContext) => Promise<void> };
  readonly deadLetters: EventPublisher;
  /**
   * True when the mapping has ReportBatchItemFailures on: failed records are returned. When it is
   * off, Lambda would read a returned list as success, so a transient failure must throw instead.
   */
  readonly partialBatchResponse: boolean;
  /**
   * Records of one partition in flight at once, each of a different key (default: KAFKA_KEY_CONCURRENCY,
   * or KEY_CONCURRENCY when it is not set).
   */
  readonly keyConcurrency?: number;
  readonly now?: () => Date;
  /** How long a transient failure is waited out within the invocation (default DEFAULT_RETRY_POLICY). */
  readonly retryPolicy?: RetryPolicy;
  readonly clock?: Clock;
}

/** A consumer as middy calls it: the context tells how much of the invocation is left to wait in. */
export type KafkaBatchFunction = (event: MSKEvent, context?: InvocationContext) => Promise<KafkaBatchResponse>;

/**
 * Default records in flight per partition. Six partitions at eight keys each keep 48 requests in
 * flight, under the AWS SDK's default of 50 sockets per client, so none queue for a connection.
 */
export const KEY_CONCURRENCY = 8;

/** KAFKA_KEY_CONCURRENCY (set by the CDK app on every consumer), or KEY_CONCURRENCY when unset. */
export function keyConcurrencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[ENV.keyConcurrency];
  if (value === undefined || value.trim() === '') return KEY_CONCURRENCY;
  const concurrency = Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`Environment variable ${ENV.keyConcurrency} must be a positive integer; got "${value}"`);
  }
  return concurrency;
}

/**
 * The batch loop shared by every Kafka consumer. Partitions are processed concurrently; within a
 * partition, records of different keys run concurrently (at most `keyConcurrency` at once) and
 * records of one key strictly in offset order, so an entity sees its events in the order they were
 * written. Each failure is classified (classifyError): a poison record is dead-lettered with its
 * reason and its key flows on; a known-transient failure is retried with backoff while the
 * invocation has time left; anything else, or a transient failure that outlasts the time, stops
 * its key, and the partition reports its lowest failed offset and every record behind it, which
 * Lambda redelivers. Records of other keys behind it may already be done: consumers are
 * idempotent, so the redelivery repeats them harmlessly. Partitions never wait for each other.
 * A record of the dead-letter topic is never dead-lettered: a poison one is logged and skipped.
 */
export function kafkaBatchHandler<T extends EventType>(options: KafkaConsumerOptions<T>): KafkaBatchFunction {
  const now = options.now ?? (() => new Date());
  const clock = options.clock ?? systemClock;
  const policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  const concurrency = options.keyConcurrency ?? keyConcurrencyFromEnv();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`keyConcurrency must be a positive integer, got ${concurrency}`);
  }

  const eventTypes = new Set<EventType>(options.eventTypes);

  async function processPartition(topicPartition: string, records: readonly MSKRecord[], invocation: Invocation) {
    const queues = [...recordsByKey(records).values()];
    let lowestFailed = Infinity;

    // Each worker takes the next key (in order of its first offset) and runs its records in order.
    // A record behind the lowest failed offset is skipped: it is reported for redelivery anyway.
    async function worker(): Promise<void> {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const record of queue) {
          if (record.offset > lowestFailed) break;
          try {
            // In the record's span: what its work logs and publishes carries the record's trace.
            await inTrace(recordSpan(record), () => processWithRetries(record, invocation));
          } catch (error) {
            lowestFailed = Math.min(lowestFailed, record.offset);
            logger.error(
              'Record handed back to the event source mapping; it and the records behind it will be retried',
              {
                consumer: options.consumer,
                topic: record.topic,
                partition: record.partition,
                offset: record.offset,
                error: error as Error,
              },
            );
            break;
          }
        }
      }
    }

    await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
    const retried = records.filter((r) => r.offset >= lowestFailed);
    if (retried.length > 0) metrics.addMetric(METRICS.recordsRetried, MetricUnit.Count, retried.length);
    return retried.map((r) => ({ itemIdentifier: { partition: topicPartition, offset: r.offset } }));
  }

  /** Runs a record until it is done or dead-lettered; throws when it must go back to Lambda. */
  function processWithRetries(record: MSKRecord, { deadline, retryUntil }: Invocation): Promise<void> {
    return withTransientRetries(() => processRecord(record, deadline), retryUntil, {
      clock,
      policy,
      onRetry: (retry) => {
        logger.warn('Transient failure; retrying within the invocation', {
          consumer: options.consumer,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          ...retry,
        });
        metrics.addMetric(METRICS.transientRetries, MetricUnit.Count, 1);
      },
    });
  }

  async function processRecord(record: MSKRecord, deadline: InvocationDeadline): Promise<void> {
    let reason: string;
    try {
      await dispatch(record, recordContext(record, deadline));
      return;
    } catch (error) {
      const failure = classifyError(error);
      if (failure.kind !== 'poison') throw error;
      reason = failure.reason;
    }
    const where = {
      consumer: options.consumer,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
    };
    if (record.topic === TOPICS.deadLetter.name) {
      logger.error('Skipping a dead letter that can never be processed; a dead letter is never dead-lettered', {
        ...where,
        reason,
      });
      metrics.addMetric(METRICS.deadLettersSkipped, MetricUnit.Count, 1);
      return;
    }
    logger.warn('Dead-lettering poison record', { ...where, reason });
    await publishDeadLetter(record, reason);
    metrics.addMetric(METRICS.recordsDeadLettered, MetricUnit.Count, 1);
  }

  function dispatch(record: MSKRecord, context: RecordContext): Promise<void> {
    if (options.raw?.topics.includes(record.topic)) return options.raw.handle(context);
    const event = decodeRecord(record);
    if (!eventTypes.has(event.event_type)) {
      throw new PoisonRecordError(
        `${options.consumer} does not consume ${event.event_type} events (topic ${record.topic})`,
      );
    }
    return options.handle(event as EventOf<T>, context);
  }

  /**
   * A dead letter is bounded far below the broker's limit, so a size refusal means a topic set
   * stricter than that: the dead letter goes again without the value's prefix, and if that is
   * refused too the record goes back to Lambda (never waited for as transient).
   */
  async function publishDeadLetter(record: MSKRecord, reason: string): Promise<void> {
    try {
      await options.deadLetters.publish([deadLetterFor(record, options.consumer, reason, now())]);
    } catch (error) {
      if (classifyError(error).kind !== 'poison') throw error;
      logger.error('Dead letter refused for its size; sending it without the value prefix', {
        consumer: options.consumer,
        offset: record.offset,
        error: error as Error,
      });
      try {
        await options.deadLetters.publish([deadLetterFor(record, options.consumer, reason, now(), 0)]);
      } catch (again) {
        throw new DeadLetterRefusedError(again);
      }
    }
  }

  return async (event, context) => {
    const invocation = {
      deadline: invocationDeadline(clock, policy, context),
      retryUntil: retryDeadline(clock, policy, context),
    };
    // Every publish of the invocation (dead letters too) gives up at the deadline, so a leader that
    // does not answer fails only the records that publish to it, not the invocation.
    const publishBound = context ? { remainingMs: () => invocation.retryUntil - clock.now() } : undefined;
    const results = await withPublishBound(publishBound, () =>
      Promise.all(
        recordsByPartition(event).map(([topicPartition, records]) =>
          processPartition(topicPartition, records, invocation),
        ),
      ),
    );
    const batchItemFailures = results.flat();
    if (batchItemFailures.length > 0 && !options.partialBatchResponse) {
      throw new Error(`${batchItemFailures.length} record(s) failed transiently; the batch will be retried`);
    }
    return { batchItemFailures };
  };
}

/** What every record of an invocation shares: its deadline, and until when a transient failure is waited out. */
interface Invocation {
  readonly deadline: InvocationDeadline;
  readonly retryUntil: number;
}

/** The dead-letter topic refused a record's dead letter for good: handed back to Lambda, not retried here. */
export class DeadLetterRefusedError extends Error {
  constructor(readonly refusal: unknown) {
    super(`the dead-letter topic refused the dead letter: ${(refusal as Error)?.message ?? String(refusal)}`);
    this.name = 'DeadLetterRefusedError';
  }
}
