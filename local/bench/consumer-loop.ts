/**
 * `npm run bench` section `consumers`: the shared batch loop (kafkaBatchHandler, with its real
 * decoding and schema validation) over in-memory ports that behave like the local components, at
 * several key-concurrency bounds, against a sequential baseline built in the same run: the same
 * handler given one record at a time, as a loop without partition or key parallelism would run.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BillingOutcome } from '../../lambdas/shared/contracts/events';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { kafkaBatchHandler } from '../../lambdas/shared/kafka/batch';
import { mskEvent, toMskRecord } from '../runner/kafka-event';

/**
 * A remote port as a fixed round-trip latency in front of one server that handles a request in
 * `serviceMs`: one request at a time sees latency + service, many see the server's capacity.
 */
export class SimulatedPort {
  private busyUntil = 0;

  constructor(
    private readonly latencyMs: number,
    private readonly serviceMs: number,
  ) {}

  call(): Promise<void> {
    const now = performance.now();
    this.busyUntil = Math.max(this.busyUntil, now) + this.serviceMs;
    const wait = this.busyUntil - now + this.latencyMs;
    return new Promise((done) => setTimeout(done, wait));
  }
}

/**
 * Calibrated to the local components measured in the throughput issue: DynamoDB Local takes
 * ~200 conditional PutItem/s one at a time and ~500/s with 16 in flight (5 ms, 2 ms of it
 * serialised); the broker ~600 single-record acks=all sends/s one at a time and >20,000 records/s
 * in batches (1.7 ms, 0.05 ms serialised).
 */
export const LOCAL_PORTS = {
  dynamodb: { latencyMs: 3, serviceMs: 2 },
  kafka: { latencyMs: 1.65, serviceMs: 0.05 },
} as const;

export interface ConsumerLoopResult {
  /** Null for the sequential baseline. */
  readonly keyConcurrency: number | null;
  readonly records: number;
  readonly partitions: number;
  readonly ms: number;
  readonly recordsPerSecond: number;
  /** Records/s over the sequential baseline's in the same run. */
  readonly ratioToSequential: number;
}

const PARTITIONS = 6;

/**
 * A batch as a busy `billing_outcome` topic delivers it: order ids as keys, murmur2-like spread
 * over the partitions, one record in ten a second event of an order already in the batch.
 */
export function benchBatch(records: number) {
  const keys: string[] = [];
  for (let i = 0; i < records; i += 1) keys.push(i % 10 === 9 && i > 0 ? keys[i - 5]! : randomUUID());
  const offsets = new Map<number, number>();
  const fetched = keys.map((orderId) => {
    const partition = hash(orderId) % PARTITIONS;
    const offset = offsets.get(partition) ?? 0;
    offsets.set(partition, offset + 1);
    const event: BillingOutcome = {
      event_id: randomUUID(),
      timestamp: new Date().toISOString(),
      event_type: 'BillingOutcome',
      order_id: orderId,
      payment_status: 'paid',
      transaction_id: randomUUID(),
      amount: 99.5,
      currency: 'USD',
      items: [{ product_id: 'abc', quantity: 2, unit_price: 49.75 }],
    };
    return toMskRecord(
      {
        topic: TOPICS.billingOutcome.name,
        partition,
        offset: BigInt(offset),
        timestamp: BigInt(Date.now()),
        key: Buffer.from(orderId),
        value: Buffer.from(JSON.stringify(event)),
        headers: [],
      },
      'CREATE_TIME',
    );
  });
  return mskEvent(fetched, { eventSourceArn: 'arn:aws:kafka:local:0:cluster/bench/bench', bootstrapServers: 'local' });
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i += 1) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

/** Each record as a consumer handles it here: one conditional write, then one publish. */
export async function benchConsumerLoop(
  keyConcurrencies: readonly number[],
  records = 1_000,
): Promise<ConsumerLoopResult[]> {
  const batch = benchBatch(records);
  const oneByOne = Object.values(batch.records)
    .flat()
    .map((record) => ({ ...batch, records: { [`${record.topic}-${record.partition}`]: [record] } }));
  const runs: Omit<ConsumerLoopResult, 'ratioToSequential'>[] = [];
  for (const keyConcurrency of [null, ...keyConcurrencies]) {
    const table = new SimulatedPort(LOCAL_PORTS.dynamodb.latencyMs, LOCAL_PORTS.dynamodb.serviceMs);
    const broker = new SimulatedPort(LOCAL_PORTS.kafka.latencyMs, LOCAL_PORTS.kafka.serviceMs);
    const handler = kafkaBatchHandler({
      consumer: 'bench',
      partialBatchResponse: true,
      keyConcurrency: keyConcurrency ?? 1,
      deadLetters: { publish: () => broker.call() },
      handle: async () => {
        await table.call();
        await broker.call();
      },
    });
    const started = performance.now();
    let failures = 0;
    for (const event of keyConcurrency === null ? oneByOne : [batch]) {
      failures += (await handler(event)).batchItemFailures.length;
    }
    const ms = performance.now() - started;
    if (failures > 0) throw new Error('the bench batch failed');
    runs.push({ keyConcurrency, records, partitions: PARTITIONS, ms, recordsPerSecond: (records / ms) * 1000 });
  }
  const sequential = runs[0]!.recordsPerSecond;
  return runs.map((r) => ({
    ...r,
    ms: Math.round(r.ms),
    recordsPerSecond: Math.round(r.recordsPerSecond),
    ratioToSequential: Number((r.recordsPerSecond / sequential).toFixed(2)),
  }));
}
