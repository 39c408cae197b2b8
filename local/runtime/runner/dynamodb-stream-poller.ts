import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../endpoints';
import type { StreamMappingSpec } from './assembly';
import { HopRecorder, type HopSample } from './hops';
import { compileFilters, type RecordFilter } from './event-filter';
import { runningStats, type MappingStats } from './kafka-poller';
import { MAX_PAYLOAD_BYTES } from './kafka-event';
import {
  pollerOperations,
  runBatch,
  streamFailureReport,
  type DiscardInfo,
  type InvocationOutcome,
} from './retry-policy';

/**
 * The local stand-in for a DynamoDB Streams event source mapping
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): reads every
 * shard of the table's stream from the mapping's starting position, parents before children, four
 * times a second when idle as Lambda does; filters records
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-ddb);
 * batches up to BatchSize records within MaximumBatchingWindowInSeconds; invokes the function with
 * events shaped as Lambda's, one shard's batch at a time; and applies the
 * error-handling controls (retry-policy.ts: retries, bisection, partial batch response by
 * SequenceNumber, maximum record age).
 *
 * The checkpoint of each shard is kept in memory: a restarted runner reads the stream again from
 * its starting position, so the function must be idempotent (as it must be in Lambda, which
 * delivers at least once).
 */
export interface StreamPollerOptions {
  readonly mapping: StreamMappingSpec;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<InvocationOutcome>;
  readonly discard: (
    records: readonly DynamoDBRecord[],
    info: DiscardInfo,
    source: { readonly streamArn: string; readonly shardId: string },
  ) => Promise<void>;
  readonly log: (line: string) => void;
  readonly retryBackoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Idle poll interval; Lambda polls each shard four times per second. */
  readonly pollIntervalMs?: number;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId?: string;
  iterator?: string;
  /** The last sequence number processed, to resume after an expired iterator. */
  lastSequenceNumber?: string;
  /** Records read after the last batch reached the payload limit: the next batch starts with them. */
  pending: ReadRecord[];
  closed: boolean;
}

interface ReadRecord {
  readonly record: DynamoDBRecord;
  readonly fetchedAt: number;
  /** Its share of the invocation payload; 0 when the filters leave it out. */
  readonly bytes: number;
}

export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly filter: RecordFilter;
  private readonly shards = new Map<string, ShardState>();
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private counters = { committed: 0, invocations: 0, deadLettered: 0, filteredOut: 0, busyMs: 0 };
  private readonly hops = new HopRecorder();
  private lastOutcome: InvocationOutcome | undefined;

  private constructor(
    private readonly options: StreamPollerOptions,
    private readonly streamArn: string,
  ) {
    this.streams = new DynamoDBStreamsClient({
      endpoint: options.dynamodbEndpoint,
      region: options.region,
      credentials: LOCAL_CREDENTIALS,
    });
    this.filter = compileFilters(options.mapping.filterPatterns);
  }

  /** Finds the table's stream and starts polling it. */
  static async start(options: StreamPollerOptions): Promise<StreamPoller> {
    const table = options.mapping.tableName;
    const dynamodb = new DynamoDBClient({
      endpoint: options.dynamodbEndpoint,
      region: options.region,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
      if (!Table?.LatestStreamArn) {
        throw new Error(`mapping ${options.mapping.id}: local table ${table} has no stream enabled`);
      }
      const poller = new StreamPoller(options, Table.LatestStreamArn);
      await poller.refreshShards(true);
      poller.loop = poller.run();
      return poller;
    } finally {
      dynamodb.destroy();
    }
  }

  /** Each delivered record's time in the stream, the batching window and the invocation since the last call. */
  drainHops(): HopSample[] {
    return this.hops.drain();
  }

  stats(): MappingStats {
    const { mapping } = this.options;
    return {
      id: mapping.id,
      kind: 'dynamodb',
      functionId: mapping.functionId,
      topic: `dynamodb-stream:${mapping.tableName}`,
      groupId: mapping.id,
      ...runningStats(this.counters, this.stopping, this.lastOutcome),
      pending: 0,
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.streams.destroy();
  }

  /** Picks up new shards; a child shard is read only once its parent is finished. */
  private async refreshShards(initial: boolean): Promise<void> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of shards) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      // LATEST applies to the shards open when the mapping starts; shards created later are read from their start.
      const type = initial && this.options.mapping.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON';
      const closedAtStart = initial && type === 'LATEST' && shard.SequenceNumberRange?.EndingSequenceNumber;
      this.shards.set(shard.ShardId, {
        shardId: shard.ShardId,
        parentShardId: shard.ParentShardId,
        iterator: closedAtStart ? undefined : await this.iterator(shard.ShardId, type),
        pending: [],
        closed: Boolean(closedAtStart),
      });
    }
  }

  private async iterator(
    shardId: string,
    type: 'LATEST' | 'TRIM_HORIZON',
    after?: string,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : type,
        SequenceNumber: after,
      }),
    );
    return ShardIterator;
  }

  private readable(shard: ShardState): boolean {
    if (shard.closed || (!shard.iterator && shard.pending.length === 0)) return false;
    const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
    return !parent || parent.closed;
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 250;
    let lastRefresh = Date.now();
    while (!this.stopping) {
      let gotRecords = false;
      try {
        for (const shard of [...this.shards.values()].filter((s) => this.readable(s))) {
          if (this.stopping) break;
          gotRecords = (await this.pollShard(shard)) || gotRecords;
        }
        if (Date.now() - lastRefresh > 5_000) {
          await this.refreshShards(false);
          lastRefresh = Date.now();
        }
      } catch (error) {
        if (this.stopping) break;
        this.options.log(`[${this.options.mapping.id}] stream poll failed: ${(error as Error).message}`);
      }
      if (!gotRecords && !this.stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, interval);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  /**
   * Reads one batch from a shard and processes it; true when the shard had records. Once a first
   * record is there, reading goes on until BatchSize records or MaximumBatchingWindowInSeconds,
   * as Lambda batches. The shard's iterator moves past the batch only once it is processed, so a
   * failure of the runner itself reads the same records again.
   */
  private async pollShard(shard: ShardState): Promise<boolean> {
    const { mapping } = this.options;
    const windowMs = mapping.maximumBatchingWindowSeconds * 1000;
    // Per record: when it was read. Its time in the stream is not measured: DynamoDB Local's
    // ApproximateCreationDateTime lags the write by up to a minute, so the wait counts from the read.
    const read: ReadRecord[] = shard.pending.splice(0);
    let iterator = shard.iterator;
    let windowStarted: number | undefined;
    for (;;) {
      if (!iterator || read.length >= mapping.batchSize) break;
      let output;
      try {
        output = await this.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: mapping.batchSize - read.length }),
        );
      } catch (error) {
        // An expired iterator, or one DynamoDB Local declares past the trim horizon (it does so for a
        // chain of iterators over a shard that has stayed empty): resume right after the last record
        // processed, or from the start of the shard when there is none yet. Nothing is skipped, and
        // records read but not yet delivered are read again.
        if (!(error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException)) throw error;
        shard.iterator = await this.iterator(shard.shardId, 'TRIM_HORIZON', shard.lastSequenceNumber);
        return false;
      }
      const fetchedAt = Date.now();
      for (const r of output.Records ?? []) {
        const record = lambdaRecord(r, this.streamArn, this.options.region);
        const bytes = this.filter.matches(record) ? Buffer.byteLength(JSON.stringify(record)) + 1 : 0;
        read.push({ record, fetchedAt, bytes });
      }
      iterator = output.NextShardIterator;
      if (read.length === 0 || read.length >= mapping.batchSize || !iterator || this.stopping) break;
      if (
        streamBatchLength(
          read.map((r) => r.bytes),
          MAX_PAYLOAD_BYTES,
        ) < read.length
      )
        break;
      windowStarted ??= Date.now();
      const left = windowStarted + windowMs - Date.now();
      if (left <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, this.options.pollIntervalMs ?? 250)));
    }
    // Lambda invokes when "The payload size reaches 6 MB. You cannot modify this limit."
    // (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html, "Batching
    // behavior"): what is read beyond it waits for the next batch, not an invocation Lambda would not make.
    const taken = streamBatchLength(
      read.map((r) => r.bytes),
      MAX_PAYLOAD_BYTES,
    );
    shard.pending = read.slice(taken);
    const records = read.slice(0, taken).map((r) => r.record);
    if (records.length > 0) {
      const takenAt = Date.now();
      const delivered = read.slice(0, taken).filter((r) => r.bytes > 0);
      const deliver = delivered.map((d) => d.record);
      if (deliver.length > 0) await this.process(deliver, shard.shardId);
      const doneAt = Date.now();
      for (const { fetchedAt } of delivered) this.hops.record(fetchedAt, fetchedAt, takenAt, doneAt);
      this.counters.filteredOut += records.length - deliver.length;
      this.counters.committed += records.length;
      shard.lastSequenceNumber = records[records.length - 1].dynamodb?.SequenceNumber;
    }
    shard.iterator = iterator;
    if (!shard.iterator && shard.pending.length === 0) shard.closed = true;
    return records.length > 0;
  }

  private async process(records: readonly DynamoDBRecord[], shardId: string): Promise<void> {
    const { mapping } = this.options;
    await runBatch(
      records,
      mapping,
      {
        position: (r) => ({ partition: 'shard', id: BigInt(r.dynamodb?.SequenceNumber ?? '0') }),
        timestampMs: (r) => (r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000,
        report: streamFailureReport,
      },
      pollerOperations({
        mappingId: mapping.id,
        stopping: () => this.stopping,
        counters: this.counters,
        invoke: (batch) => this.options.invoke({ Records: [...batch] }),
        invoked: (outcome) => (this.lastOutcome = outcome),
        discard: (failed, info) => this.options.discard(failed, info, { streamArn: this.streamArn, shardId }),
      }),
      this.options.retryBackoff,
    );
  }
}

/**
 * A stream record as Lambda delivers it: the API's record with the stream ARN added, the creation
 * time in epoch seconds, binary attributes base64-encoded (as in the JSON wire format), and the
 * region of the run (DynamoDB Local reports "ddblocal").
 */
export function lambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const { dynamodb, ...rest } = record;
  const created = dynamodb?.ApproximateCreationDateTime;
  return {
    ...rest,
    awsRegion: region,
    dynamodb: dynamodb && {
      ...dynamodb,
      ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : created,
      Keys: wireImage(dynamodb.Keys),
      NewImage: wireImage(dynamodb.NewImage),
      OldImage: wireImage(dynamodb.OldImage),
    },
    eventSourceARN: streamArn,
  } as DynamoDBRecord;
}

function wireImage(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, wireValue(v)]));
}

function wireValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(wireValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireValue(v)]));
  }
  return value;
}

/**
 * How many of the records read (in shard order, each with its bytes in the invocation payload, 0
 * for one the filters leave out) the next batch takes: as many as fit `maxPayloadBytes` with the
 * event's envelope, and at least one, so that one record over the limit cannot stall its shard
 * (its invocation is then refused as Lambda refuses an oversize payload).
 */
export function streamBatchLength(payloadBytes: readonly number[], maxPayloadBytes: number): number {
  let bytes = STREAM_EVENT_ENVELOPE_BYTES;
  for (let i = 0; i < payloadBytes.length; i++) {
    bytes += payloadBytes[i]!;
    if (bytes > maxPayloadBytes && i > 0) return i;
  }
  return payloadBytes.length;
}

/** `{"Records":[]}`: the event around the records. */
const STREAM_EVENT_ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ Records: [] }));
