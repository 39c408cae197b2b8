import {
  Admin,
  ConfigResourceTypes,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import type { KafkaMappingSpec } from './assembly';
import { compileFilters, type RecordFilter } from './event-filter';
import {
  envelopeBytes,
  MAX_PAYLOAD_BYTES,
  mskEvent,
  partitionKey,
  recordPayloadBytes,
  takeBatch,
  toMskRecord,
  type EventSource,
  type QueuedRecord,
  type TimestampType,
} from './kafka-event';
import { HopRecorder, type HopSample } from './hops';
import {
  kafkaFailureReport,
  pollerOperations,
  runBatch,
  type DiscardInfo,
  type InvocationOutcome,
} from './retry-policy';

/**
 * The local stand-in for one Kafka event source mapping
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html): a consumer in the mapping's
 * consumer group that starts, when the group has no committed offset, at the mapping's starting
 * position; reads each partition in order; filters records
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html); batches up to
 * BatchSize records and 6 MB, waiting at most MaximumBatchingWindowInSeconds; invokes the function;
 * applies the error-handling controls (retry-policy.ts); and commits offsets only once every record
 * of a batch is processed, filtered out or handed to the on-failure destination. One batch is in
 * flight at a time; it holds records of several partitions, which the handler may process
 * concurrently, as a Lambda poller's batch does.
 */
export interface KafkaPollerOptions {
  readonly mapping: KafkaMappingSpec;
  readonly bootstrap: string;
  readonly source: EventSource;
  readonly invoke: (event: MSKEvent) => Promise<InvocationOutcome>;
  /** Hands records to the mapping's on-failure destination (or drops them when it has none). */
  readonly discard: (records: readonly MSKRecord[], info: DiscardInfo, batch: readonly MSKRecord[]) => Promise<void>;
  readonly log: (line: string) => void;
  readonly retryBackoff?: { readonly baseMs: number; readonly maxMs: number };
  /**
   * Poll as the function, as Lambda does with the function's execution role: through the broker's
   * MSK IAM listener, signing with the function's credentials, under the ACLs of its role. Without
   * it the poller uses `bootstrap` (the runtime's own, unrestricted).
   */
  readonly iam?: PollerIam;
}

export interface PollerIam {
  readonly bootstrap: string;
  /** The listener's certificate (PEM). */
  readonly caFile: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A mapping that cannot poll because the broker refuses its function's principal. */
export class MappingAuthorizationError extends Error {
  override readonly name = 'MappingAuthorizationError';
}

/**
 * TLS and SASL/OAUTHBEARER with the MSK IAM signer's token, signed with the function's credentials:
 * what Lambda's pollers send MSK for a mapping with IAM authentication.
 */
function iamConnection(iam: PollerIam) {
  return {
    bootstrapBrokers: iam.bootstrap.split(','),
    tls: { ca: readFileSync(iam.caFile) },
    sasl: {
      mechanism: 'OAUTHBEARER' as const,
      token: async () => {
        const { generateAuthTokenFromCredentialsProvider } = await import('aws-msk-iam-sasl-signer-js');
        const credentials = iam.credentials;
        const signed = await generateAuthTokenFromCredentialsProvider({
          region: iam.region,
          awsCredentialsProvider: async () => credentials,
        });
        return signed.token;
      },
    },
  };
}

/** The Kafka error codes (`TOPIC_AUTHORIZATION_FAILED`, ...) anywhere in a client error. */
export function kafkaErrorCodes(error: unknown): string[] {
  const codes = new Set<string>();
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 5) return;
    const { apiId, errors, cause, message } = e as {
      apiId?: unknown;
      errors?: unknown;
      cause?: unknown;
      message?: unknown;
    };
    if (typeof apiId === 'string') codes.add(apiId);
    if (typeof message === 'string') for (const m of message.match(/[A-Z_]+_FAILED/g) ?? []) codes.add(m);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    visit(cause, depth + 1);
  };
  visit(error, 0);
  return [...codes];
}

export interface MappingStats {
  readonly id: string;
  readonly kind: 'kafka' | 'dynamodb';
  readonly functionId: string;
  readonly topic: string;
  readonly groupId: string;
  /** Records whose position is committed: processed, filtered out or sent to the on-failure destination. */
  readonly committedOffsets: number;
  readonly invocations: number;
  /** Records sent to the on-failure destination (or dropped, without one). */
  readonly deadLettered: number;
  /** Records the filters kept from the function. */
  readonly filteredOut: number;
  /** Records fetched and not yet committed. */
  readonly pending: number;
  /** Time spent in invocations: near the run's length, the mapping is the bottleneck. */
  readonly busyMs: number;
  /**
   * The Lambda API's `State` and `LastProcessingResult` of the mapping as this runner sees it:
   * Enabled while it polls, and whether the last invocation returned or failed (local/runtime/runner/lambda-api.ts).
   */
  readonly state: 'Enabled' | 'Disabled';
  readonly lastProcessingResult: string;
}

/** A poller's running counts, as it moves them in place. */
export interface PollerCounters {
  readonly committed: number;
  readonly invocations: number;
  readonly deadLettered: number;
  readonly filteredOut: number;
  readonly busyMs: number;
}

/** The part of a mapping's stats that every poller reports the same way: its counts and its state. */
export function runningStats(
  counters: PollerCounters,
  stopping: boolean,
  lastOutcome: InvocationOutcome | undefined,
): Pick<
  MappingStats,
  'committedOffsets' | 'invocations' | 'deadLettered' | 'filteredOut' | 'busyMs' | 'state' | 'lastProcessingResult'
> {
  return {
    committedOffsets: counters.committed,
    invocations: counters.invocations,
    deadLettered: counters.deadLettered,
    filteredOut: counters.filteredOut,
    busyMs: Math.round(counters.busyMs),
    state: stopping ? 'Disabled' : 'Enabled',
    lastProcessingResult: lastProcessingResult(lastOutcome),
  };
}

/** The LastProcessingResult of a mapping after an invocation that returned, or one that failed. */
export function lastProcessingResult(
  outcome: { readonly ok: boolean; readonly errorType?: string } | undefined,
): string {
  if (outcome === undefined) return NO_RECORDS_PROCESSED;
  return outcome.ok ? 'OK' : `PROBLEM: Function call failed (${outcome.errorType ?? 'error'})`;
}
export const NO_RECORDS_PROCESSED = 'No records processed';

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  leaderEpoch: number;
  /** The next offset expected from the stream; anything below it was already queued (a refetch). */
  nextOffset: bigint;
}

const MAX_BUFFERED_RECORDS = 5_000;
/** Kafka's error code 31. */
const CLUSTER_AUTHORIZATION_FAILED = 31;
const JOIN_TIMEOUT_MS = 60_000;

export class KafkaPoller {
  private consumer?: Consumer;
  private stream?: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  private readonly queues = new Map<string, QueuedRecord[]>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly filter: RecordFilter;
  private timestampType: TimestampType = 'CREATE_TIME';
  private windowStartedAt?: number;
  private wake?: () => void;
  private stopping = false;
  private reconnecting = false;
  private loop?: Promise<void>;
  private rotate = 0;
  private counters = { committed: 0, invocations: 0, deadLettered: 0, filteredOut: 0, busyMs: 0 };
  /** When each queued record was fetched from the broker, for the hop samples. */
  private readonly fetchedAt = new WeakMap<MSKRecord, number>();
  private readonly hops = new HopRecorder();
  private lastOutcome: InvocationOutcome | undefined;

  private constructor(private readonly options: KafkaPollerOptions) {
    this.filter = compileFilters(options.mapping.filterPatterns);
  }

  /** Starts the consumer and resolves once it has joined its group and been assigned the topic's partitions. */
  static async start(options: KafkaPollerOptions): Promise<KafkaPoller> {
    if (options.mapping.startingPosition === 'AT_TIMESTAMP') {
      throw new Error(`mapping ${options.mapping.id}: StartingPosition AT_TIMESTAMP is not supported locally`);
    }
    const poller = new KafkaPoller(options);
    try {
      await poller.connect();
    } catch (error) {
      await poller.disconnect();
      const codes = kafkaErrorCodes(error).filter((c) => c.endsWith('_FAILED'));
      if (codes.length === 0) throw error;
      const { mapping } = options;
      throw new MappingAuthorizationError(
        `mapping ${mapping.id} of function ${mapping.functionId} cannot poll ${mapping.topic} (group ` +
          `${mapping.consumerGroupId}): ${codes.join(', ')} for the function's role (${(error as Error).message})`,
        { cause: error },
      );
    }
    poller.loop = poller.run();
    return poller;
  }

  stats(): MappingStats {
    const { mapping } = this.options;
    let pending = 0;
    for (const queue of this.queues.values()) pending += queue.length;
    return {
      id: mapping.id,
      kind: 'kafka',
      functionId: mapping.functionId,
      topic: mapping.topic,
      groupId: mapping.consumerGroupId,
      ...runningStats(this.counters, this.stopping, this.lastOutcome),
      pending,
    };
  }

  /** Each delivered record's time in the topic, the batching window and the invocation since the last call. */
  drainHops(): HopSample[] {
    return this.hops.drain();
  }

  /** Stops polling. A batch still in flight is abandoned uncommitted: its records come again next time. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  private async connect(): Promise<void> {
    const { mapping, bootstrap, iam } = this.options;
    // The topic's timestamp type is the runner's own question (the record's timestampType), asked as the runtime.
    this.timestampType = await topicTimestampType(bootstrap, mapping.topic);
    const connection = iam ? iamConnection(iam) : undefined;
    // Lambda's pollers read the cluster's dynamic configuration: the role needs
    // kafka-cluster:DescribeClusterDynamicConfiguration (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html).
    if (connection) await describeClusterConfiguration(connection);
    const consumer = new Consumer({
      clientId: `lambda-esm-${mapping.id}`,
      groupId: mapping.consumerGroupId,
      ...(connection ?? { bootstrapBrokers: bootstrap.split(',') }),
      // A restarted runner takes over its group at once instead of waiting for the old member to time out.
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      autocreateTopics: false,
    });
    const joined = new Promise<void>((resolve) => consumer.once('consumer:group:join', () => resolve()));
    consumer.on('consumer:group:join', ({ assignments }) => this.onAssignment(assignments ?? []));
    const stream = await consumer.consume({
      topics: [mapping.topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode:
        mapping.startingPosition === 'LATEST'
          ? MessagesStreamFallbackModes.LATEST
          : MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
      maxWaitTime: 200,
    });
    stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => this.onMessage(message));
    stream.on('error', (error: Error) => this.reconnect(error));
    this.consumer = consumer;
    this.stream = stream;
    await withTimeout(
      joined,
      JOIN_TIMEOUT_MS,
      `consumer group ${mapping.consumerGroupId} not joined after ${JOIN_TIMEOUT_MS} ms`,
    );
  }

  /**
   * After a consumer failure (a broker restart, say): drop what was fetched and not yet taken, and
   * join the group again, which resumes from the committed offsets. A batch in flight still
   * commits; records after it may be delivered again (at least once, never lost).
   */
  private reconnect(error: Error): void {
    if (this.stopping || this.reconnecting) return;
    this.reconnecting = true;
    this.options.log(`[${this.options.mapping.id}] consumer failed, reconnecting: ${error.message}`);
    void (async () => {
      await this.disconnect();
      this.queues.clear();
      for (const state of this.partitions.values()) state.nextOffset = 0n;
      this.windowStartedAt = undefined;
      for (let attempt = 1; !this.stopping; attempt++) {
        try {
          await this.connect();
          this.options.log(`[${this.options.mapping.id}] consumer reconnected`);
          break;
        } catch (retryError) {
          await this.disconnect();
          const delay = Math.min(10_000, 500 * 2 ** (attempt - 1));
          this.options.log(
            `[${this.options.mapping.id}] reconnect failed, again in ${delay} ms: ${(retryError as Error).message}`,
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      this.reconnecting = false;
    })();
  }

  private async disconnect(): Promise<void> {
    await this.stream?.close().catch(() => undefined);
    await this.consumer?.close(true).catch(() => undefined);
  }

  private onAssignment(assignments: readonly { topic: string; partitions: number[] }[]): void {
    const assigned = new Set(
      assignments.flatMap((a) => a.partitions.map((p) => partitionKey({ topic: a.topic, partition: p }))),
    );
    // A partition taken away (never while this runner is the group's only member) is dropped uncommitted.
    for (const key of [...this.queues.keys()]) {
      if (!assigned.has(key)) {
        this.queues.delete(key);
        this.partitions.delete(key);
      }
    }
  }

  private onMessage(message: Message<Buffer, Buffer, Buffer, Buffer>): void {
    const key = partitionKey(message);
    let state = this.partitions.get(key);
    if (state && message.offset < state.nextOffset) return; // already queued: the stream refetched it
    state ??= { topic: message.topic, partition: message.partition, leaderEpoch: message.leaderEpoch, nextOffset: 0n };
    state.leaderEpoch = message.leaderEpoch;
    state.nextOffset = message.offset + 1n;
    this.partitions.set(key, state);

    const record = toMskRecord(
      {
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key,
        value: message.value,
        headers: message.headerEntries,
      },
      this.timestampType,
    );
    this.fetchedAt.set(record, Date.now());
    const deliver = this.filter.matchesKafkaRecord(record as unknown as Record<string, unknown>);
    const queue = this.queues.get(key) ?? [];
    queue.push({ record, deliver, bytes: deliver ? recordPayloadBytes(record) : 0 });
    this.queues.set(key, queue);
    this.windowStartedAt ??= Date.now();
    if (this.buffered() >= MAX_BUFFERED_RECORDS) this.stream?.pause();
    this.wake?.();
  }

  private buffered(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  /** Whether a batch should be taken now: full by count or size, or its window has elapsed. */
  private batchReady(): boolean {
    if (this.windowStartedAt === undefined) return false;
    const { batchSize, maximumBatchingWindowSeconds } = this.options.mapping;
    let deliverable = 0;
    let bytes = 0;
    for (const queue of this.queues.values()) {
      for (const entry of queue) {
        if (!entry.deliver) continue;
        deliverable += 1;
        bytes += entry.bytes;
      }
    }
    if (deliverable >= batchSize || bytes >= MAX_PAYLOAD_BYTES) return true;
    return Date.now() - this.windowStartedAt >= maximumBatchingWindowSeconds * 1000;
  }

  private async waitForBatch(): Promise<void> {
    while (!this.stopping && !this.batchReady()) {
      const windowEnds =
        this.windowStartedAt === undefined
          ? undefined
          : this.windowStartedAt + this.options.mapping.maximumBatchingWindowSeconds * 1000 - Date.now();
      await new Promise<void>((resolve) => {
        const timer = windowEnds === undefined ? undefined : setTimeout(resolve, Math.max(windowEnds, 1));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async run(): Promise<void> {
    const { mapping } = this.options;
    while (!this.stopping) {
      await this.waitForBatch();
      if (this.stopping) break;
      const batch = takeBatch(
        this.queues,
        {
          batchSize: mapping.batchSize,
          maxPayloadBytes: MAX_PAYLOAD_BYTES,
          envelopeBytes: envelopeBytes(this.options.source, this.queues.size),
        },
        this.rotate++,
      );
      // The next batch's window starts now, if records are already waiting for it.
      this.windowStartedAt = this.buffered() > 0 ? Date.now() : undefined;
      if (this.buffered() < MAX_BUFFERED_RECORDS / 2) this.stream?.resume();
      const takenAt = Date.now();
      if (batch.deliver.length > 0 && !(await this.processUntilDone(batch.deliver))) break;
      const doneAt = Date.now();
      for (const record of batch.deliver) {
        this.hops.record(this.fetchedAt.get(record) ?? takenAt, record.timestamp, takenAt, doneAt);
      }
      this.counters.filteredOut += batch.taken - batch.deliver.length;
      await this.commit(batch.lastOffsets, batch.taken);
    }
  }

  /**
   * Runs a batch until it is done; false when the poller stopped first. A failure of the runner
   * itself (the on-failure destination unreachable, say) runs the batch again after a pause, as
   * Lambda retries its own errors: the records are never skipped.
   */
  private async processUntilDone(records: readonly MSKRecord[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.process(records);
        return true;
      } catch (error) {
        if (this.stopping) return false;
        const delay = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
        this.options.log(
          `[${this.options.mapping.id}] batch failed in the runner, again in ${delay} ms: ${(error as Error).message}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async process(records: readonly MSKRecord[]): Promise<void> {
    const { mapping, source } = this.options;
    await runBatch(
      records,
      mapping,
      {
        position: (r) => ({ partition: partitionKey(r), id: BigInt(r.offset) }),
        timestampMs: (r) => r.timestamp,
        report: kafkaFailureReport,
      },
      pollerOperations({
        mappingId: mapping.id,
        stopping: () => this.stopping,
        counters: this.counters,
        invoke: (batch) => this.options.invoke(mskEvent(batch, source)),
        invoked: (outcome) => (this.lastOutcome = outcome),
        discard: (failed, info) => this.options.discard(failed, info, records),
      }),
      this.options.retryBackoff,
    );
  }

  private async commit(lastOffsets: ReadonlyMap<string, number>, taken: number): Promise<void> {
    const offsets = [...lastOffsets].map(([key, offset]) => {
      const state = this.partitions.get(key)!;
      return {
        topic: state.topic,
        partition: state.partition,
        offset: BigInt(offset) + 1n,
        leaderEpoch: state.leaderEpoch,
      };
    });
    if (offsets.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer!.commit({ offsets });
        this.counters.committed += taken;
        return;
      } catch (error) {
        // An uncommitted batch is delivered again after a restart: at least once, never lost.
        if (this.stopping || attempt >= 5) {
          this.options.log(`[${this.options.mapping.id}] offset commit failed: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }
}

/** DescribeConfigs on a broker, as the function's principal: DESCRIBE_CONFIGS on the cluster. */
async function describeClusterConfiguration(connection: ReturnType<typeof iamConnection>): Promise<void> {
  const admin = new Admin({ clientId: 'lambda-esm-describe-cluster', ...connection, retries: 0 });
  try {
    const metadata = await admin.metadata({ topics: [] });
    const brokerId = [...metadata.brokers.keys()][0];
    const [description] = await admin.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: String(brokerId),
          configurationKeys: ['log.retention.ms'],
        },
      ],
    });
    const code = (description as { errorCode?: number } | undefined)?.errorCode;
    if (code) {
      const name = code === CLUSTER_AUTHORIZATION_FAILED ? 'CLUSTER_AUTHORIZATION_FAILED' : `error code ${code}`;
      throw new Error(`DescribeConfigs on the cluster failed: ${name}`);
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/** The topic's message.timestamp.type, which decides each record's timestampType. */
async function topicTimestampType(bootstrap: string, topic: string): Promise<TimestampType> {
  const admin = new Admin({ clientId: 'lambda-esm-describe', bootstrapBrokers: bootstrap.split(',') });
  try {
    const [description] = await admin.describeConfigs({
      resources: [
        { resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['message.timestamp.type'] },
      ],
    });
    const value = description?.configs.find((c) => c.name === 'message.timestamp.type')?.value;
    return value === 'LogAppendTime' ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
  } finally {
    await admin.close();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
