import { compatibilityPartitioner, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { createReadStream, statSync, type ReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ConsoleCommand } from './args';
import type { Cluster } from './connection';
import { prepareRecord, type OutgoingRecord } from './prepare-record';
import { ProgressLine } from './progress';
import { csvRecords, lineRecords, type SourceRecord } from './source-records';

type ProduceCommand = Extract<ConsoleCommand, { name: 'produce' }>;

export interface ProduceResult {
  readonly records: number;
  /** Records sent to each partition. */
  readonly perPartition: readonly number[];
  readonly durationMs: number;
}

/** Records per produce request: large enough for throughput, small enough to show progress. */
const BATCH_SIZE = 500;

/**
 * Streams the input to the topic with an idempotent producer (acks=all), in input order. A bad
 * record stops the run with its line; the records before it are sent, and the error says how many.
 */
export async function produce(
  cluster: Cluster,
  command: ProduceCommand,
  io: { readonly stdin: Readable; readonly stderr: NodeJS.WriteStream },
): Promise<ProduceResult> {
  const started = Date.now();
  const input = openInput(command, io.stdin);
  const producer = new Producer({
    ...cluster.clientOptions('kafka-console-producer'),
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  const progress = new ProgressLine(io.stderr);
  const perPartition: number[] = [];
  let sent = 0;
  try {
    const partitions = await partitionCount(producer, command.topic, cluster);
    perPartition.push(...Array<number>(partitions).fill(0));
    let roundRobin = 0;
    // The partition is chosen here, not by the client, so that it is known: the Java client's murmur2
    // of the key (as the services' producer), and keyless records spread round-robin.
    const partitionOf = (record: OutgoingRecord) =>
      record.key === undefined
        ? roundRobin++ % partitions
        : compatibilityPartitioner(undefined as never, Buffer.from(record.key, 'utf8')) % partitions;

    const sender = new SerialSender(async (batch: readonly (OutgoingRecord & { partition: number })[]) => {
      await producer.send({
        messages: batch.map((r) => ({
          topic: command.topic,
          key: r.key,
          value: r.value,
          headers: r.headers,
          partition: r.partition,
        })),
      });
      for (const r of batch) perPartition[r.partition]!++;
      sent += batch.length;
      progress.update({ records: sent, bytesRead: input.bytesRead(), totalBytes: input.totalBytes });
    });
    try {
      for await (const record of input.records) {
        const outgoing = prepareRecord(record, command);
        await sender.add({ ...outgoing, partition: partitionOf(outgoing) });
      }
      await sender.flush();
    } catch (error) {
      // Send what was accepted before the bad record, so that "n records sent" is true.
      await sender.flush().catch(() => undefined);
      throw Object.assign(error as Error, { message: `${(error as Error).message} (${sent} records sent before it)` });
    }
  } finally {
    progress.finish();
    input.close();
    await producer.close();
  }
  return { records: sent, perPartition, durationMs: Date.now() - started };
}

interface Input {
  readonly records: AsyncIterable<SourceRecord>;
  readonly totalBytes?: number;
  bytesRead(): number | undefined;
  close(): void;
}

function openInput(command: ProduceCommand, stdin: Readable): Input {
  if (command.source.kind === 'stdin') {
    return { records: lineRecords(stdin), bytesRead: () => undefined, close: () => undefined };
  }
  const { file } = command.source;
  let totalBytes: number;
  try {
    totalBytes = statSync(file).size;
  } catch (error) {
    throw new Error(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const stream: ReadStream = createReadStream(file);
  return {
    records: command.source.kind === 'csv' ? csvRecords(stream) : lineRecords(stream),
    totalBytes,
    bytesRead: () => stream.bytesRead,
    close: () => stream.destroy(),
  };
}

async function partitionCount(producer: Producer<string, string, string, string>, topic: string, cluster: Cluster) {
  try {
    const metadata = await producer.metadata({ topics: [topic] });
    return metadata.topics.get(topic)!.partitionsCount;
  } catch (error) {
    throw new Error(
      `Topic ${topic} is not on ${cluster.description} (${(error as Error).message}); see \`npm run kafka -- topics\``,
    );
  }
}

/**
 * Sends batches one after the other (the idempotent producer's sequence numbers stay in input
 * order) while the next batch fills. A record typed on stdin goes out at once; a file is sent
 * BATCH_SIZE records at a time, and reading waits while a full batch is pending.
 */
class SerialSender<T> {
  private pending: T[] = [];
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly send: (batch: readonly T[]) => Promise<void>) {}

  async add(item: T): Promise<void> {
    this.throwIfFailed();
    this.pending.push(item);
    this.running ??= this.drain();
    if (this.pending.length >= BATCH_SIZE) await this.running;
    this.throwIfFailed();
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
    this.throwIfFailed();
  }

  /** Never rejects: a failed send is kept and thrown to the next add or flush. */
  private async drain(): Promise<void> {
    try {
      while (this.pending.length) await this.send(this.pending.splice(0, BATCH_SIZE));
    } catch (error) {
      this.failure = { error };
      this.pending = [];
    } finally {
      this.running = undefined;
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
