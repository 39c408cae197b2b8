/**
 * `npm run bench` section `consumers`: billing, inventory, shipping and the status projector, each
 * invoked through the local runner's execution environments (the synthesized bundle, the
 * environment the CDK app gives it, DynamoDB Local and the broker of `npm run local`) with a batch
 * of its real input topic (consumer-batches.ts): the whole batch in one invocation, as the batch
 * loop runs it, against a baseline built in the same run from a second batch of new orders, one
 * record per invocation in sequence. No event source mapping runs: the bench is the only feeder.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { createWriteStream, type WriteStream } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDbOrderRepository } from '../../../lambdas/order-api/adapters/dynamodb-order-repository';
import type { StepCost } from '../../../lambdas/shared/contracts/dynamodb-costs';
import { ENV } from '../../../lambdas/shared/contracts/environment';
import { TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { KEY_CONCURRENCY, type KafkaBatchResponse } from '../../../lambdas/shared/kafka/batch';
import type { OrderStatus } from '../../../lambdas/shared/orders/order-status';
import { localTableName } from '../app-bindings';
import { forEachConcurrently } from '../concurrency';
import { endOffsets } from '../demo/kafka-inspect';
import { restockLocally, startLocalCloud, type LocalCloud } from '../demo/local-cloud';
import { readStatusesOf } from '../demo/order-progress';
import { findFunction } from '../../runtime/runner';
import { LOCAL_ACCOUNT } from '../../runtime/runner/environment';
import { mskEvent } from '../../runtime/runner/kafka-event';
import { localDynamoDbClient } from '../../runtime/services';
import {
  BENCHED_CONSUMERS,
  consumerBatch,
  CONSUMER_INPUTS,
  DUPLICATE_EVERY,
  type BenchedConsumer,
  type ConsumerBatch,
} from './consumer-batches';
import { percentile, round, watchMachineLoad, type MachineLoad } from './pipeline-figures';
import { conditionalWriteRate, WRITE_RATE_IN_FLIGHT } from './pipeline';

/** The target: the batch loop at least this many times the one-record-at-a-time rate. */
export const TARGET_RATIO = 5;
const WARM_UP_RECORDS = 20;
const EMPTY_INVOCATIONS = 21;

export interface ConsumerRun {
  readonly records: number;
  readonly invocations: number;
  readonly ms: number;
  readonly recordsPerSecond: number;
  /** Share of the machine's CPU time busy during the run (every process, the bench's and others'). */
  readonly machineCpuBusy: number;
}

export interface ConsumerFigures {
  readonly functionId: BenchedConsumer;
  readonly topic: TopicName;
  /** Partitions the batch's records are spread over. */
  readonly partitions: number;
  /** KAFKA_KEY_CONCURRENCY as the CDK app sets it on the function. */
  readonly keyConcurrency: number;
  /** Mean DynamoDB requests and item writes of a first delivery (dynamodb-costs.ts); redeliveries cost less. */
  readonly perRecord: StepCost;
  /**
   * The one-invocation rate in DynamoDB requests and item writes (records/s x perRecord), beside
   * DynamoDB Local's conditional PutItem rate (one request, one item).
   */
  readonly loopDynamoDbPerSecond: { readonly requests: number; readonly itemWrites: number };
  /** Median wall time of an invocation with no records: what each record of the baseline pays on top of its work. */
  readonly emptyInvocationMs: number;
  readonly loop: ConsumerRun;
  readonly sequential: ConsumerRun;
  /** loop records/s over sequential records/s; the target is TARGET_RATIO. */
  readonly ratio: number;
}

export interface ConsumersBenchResult {
  readonly recordsPerBatch: number;
  readonly duplicateEvery: number;
  /** DynamoDB Local's conditional PutItem rate at WRITE_RATE_IN_FLIGHT in flight, measured first: the ceiling. */
  readonly conditionalWritesPerSecond: { readonly inFlight: number; readonly measured: number };
  readonly targetRatio: number;
  readonly functions: readonly ConsumerFigures[];
  readonly load: MachineLoad;
}

export async function benchConsumers(
  options: { records?: number; log?: (line: string) => void } = {},
): Promise<ConsumersBenchResult> {
  const records = options.records ?? 1_000;
  const log = options.log ?? (() => undefined);
  const load = watchMachineLoad();
  let functionLog: WriteStream | undefined;
  const cloud = await startLocalCloud({
    apiPort: 0,
    pollers: false,
    onServices: (services) => (functionLog = createWriteStream(join(services.workDir, 'functions.log'))),
    functionLog: (line) => functionLog?.write(`${line}\n`),
  });
  try {
    log(`cloud up (event source mappings off); function logs in ${cloud.services.workDir}`);
    const writeRate = await conditionalWriteRate(cloud.services.dynamodbEndpoint);
    log(`DynamoDB Local: ${writeRate.toFixed(0)} conditional PutItem/s at ${WRITE_RATE_IN_FLIGHT} in flight`);
    const functions: ConsumerFigures[] = [];
    // runner.invoke hands each invocation's logs back instead of forwarding them: kept with the runner's.
    const keepLogs = (logs: string) => functionLog?.write(logs.endsWith('\n') ? logs : `${logs}\n`);
    for (const functionId of BENCHED_CONSUMERS) {
      functions.push(await benchConsumer({ cloud, functionId, keepLogs }, records, log));
    }
    return {
      recordsPerBatch: records,
      duplicateEvery: DUPLICATE_EVERY,
      conditionalWritesPerSecond: { inFlight: WRITE_RATE_IN_FLIGHT, measured: Math.round(writeRate) },
      targetRatio: TARGET_RATIO,
      functions,
      load: load.end(),
    };
  } finally {
    await cloud.stop();
    functionLog?.end();
  }
}

/** A consumer under the bench, on the cloud, and where its invocations' logs go. */
interface Bench {
  readonly cloud: LocalCloud;
  readonly functionId: BenchedConsumer;
  readonly keepLogs: (logs: string) => void;
}

async function benchConsumer(bench: Bench, records: number, log: (line: string) => void): Promise<ConsumerFigures> {
  const { cloud, functionId } = bench;
  const runId = `bench-${functionId}-${Date.now()}`;
  const now = new Date();
  const warmUp = consumerBatch(functionId, WARM_UP_RECORDS, `${runId}-warm-up`, now);
  const loopBatch = consumerBatch(functionId, records, `${runId}-loop`, now);
  // Offsets go on from the loop's batch, as if the topic had received the second batch after it.
  const sequentialBatch = consumerBatch(functionId, records, `${runId}-sequential`, now, records);
  const batches = { 'warm-up': warmUp, loop: loopBatch, sequential: sequentialBatch };
  for (const [name, batch] of Object.entries(batches)) await seed(cloud, functionId, batch, `${runId}-${name}`);

  // The first invocation starts the execution environment and its producer: not part of either rate.
  await invokeAll(bench, [toEvent(cloud, warmUp.records)]);
  const emptyInvocationMs = await invocationOverhead(bench);
  const loop = await run(bench, loopBatch, [toEvent(cloud, loopBatch.records)]);
  const sequential = await run(
    bench,
    sequentialBatch,
    sequentialBatch.records.map((record) => toEvent(cloud, [record])),
  );
  const ratio = round(loop.recordsPerSecond / sequential.recordsPerSecond, 2);
  log(
    `${functionId}: ${loop.recordsPerSecond} records/s in one invocation, ${sequential.recordsPerSecond} ` +
      `one at a time (x${ratio})`,
  );
  const cost = loopBatch.costPerFreshRecord;
  const configured = findFunction(cloud.assembly, functionId).environment[ENV.keyConcurrency];
  return {
    functionId,
    topic: CONSUMER_INPUTS[functionId].topic,
    partitions: new Set(loopBatch.records.map((r) => r.partition)).size,
    keyConcurrency: configured === undefined ? KEY_CONCURRENCY : Number(configured),
    perRecord: { requests: round(cost.requests, 2), itemWrites: round(cost.itemWrites, 2) },
    loopDynamoDbPerSecond: {
      requests: Math.round(loop.recordsPerSecond * cost.requests),
      itemWrites: Math.round(loop.recordsPerSecond * cost.itemWrites),
    },
    emptyInvocationMs: round(emptyInvocationMs, 1),
    loop,
    sequential,
    ratio,
  };
}

/** What the consumer needs before its batch: stock to reserve, orders to record facts on. */
async function seed(cloud: LocalCloud, functionId: BenchedConsumer, batch: ConsumerBatch, seedId: string) {
  if (functionId === 'inventory') await restockLocally(cloud.runner, batch.stock, seedId);
  if (functionId !== 'orderStatus') return;
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(cloud.services.dynamodbEndpoint));
  const repository = new DynamoDbOrderRepository(client, {
    ordersTable: localTableName('orders'),
    outboxTable: localTableName('outbox'),
    analyticsTable: localTableName('analytics'),
  });
  try {
    // As the order API commits them (the outbox entries stay unpublished: no relay runs).
    await forEachConcurrently(batch.orders, WRITE_RATE_IN_FLIGHT, async ({ order, outbox }) => {
      await repository.create(order, outbox);
    });
  } finally {
    client.destroy();
  }
}

function toEvent(cloud: LocalCloud, records: MSKEvent['records'][string]): MSKEvent {
  const { region, kafkaBootstrap } = cloud.services;
  // The ARN the runner gives a mapping without its own: what the function would see from its mapping.
  return mskEvent(records, {
    eventSourceArn: `arn:aws:kafka:${region}:${LOCAL_ACCOUNT}:cluster/local/local`,
    bootstrapServers: kafkaBootstrap,
  });
}

/** Invokes the events in sequence; fails loudly on an error or on any record handed back. */
async function invokeAll({ cloud, functionId, keepLogs }: Bench, events: readonly MSKEvent[]) {
  for (const event of events) {
    const { result, error, logs } = await cloud.runner.invoke(functionId, event);
    keepLogs(logs);
    if (error) throw new Error(`${functionId} failed: ${error.errorType}: ${error.errorMessage}`);
    const failures = (result as Partial<KafkaBatchResponse> | undefined)?.batchItemFailures;
    if (!Array.isArray(failures))
      throw new Error(`${functionId} answered no batchItemFailures: ${JSON.stringify(result)}`);
    if (failures.length > 0) {
      throw new Error(`${functionId} handed back ${failures.length} records, e.g. ${JSON.stringify(failures[0])}`);
    }
  }
}

/** Median wall time of an invocation of the warm function with an empty batch. */
async function invocationOverhead(bench: Bench): Promise<number> {
  const empty = toEvent(bench.cloud, []);
  const samples: number[] = [];
  for (let n = 0; n < EMPTY_INVOCATIONS; n++) {
    const started = performance.now();
    await invokeAll(bench, [empty]);
    samples.push(performance.now() - started);
  }
  return percentile(samples, 50);
}

/** Times the invocations, then checks that the work was done: outputs published, facts recorded, nothing dead-lettered. */
async function run(bench: Bench, batch: ConsumerBatch, events: readonly MSKEvent[]): Promise<ConsumerRun> {
  const { cloud, functionId } = bench;
  const output = OUTPUT_TOPIC[functionId];
  const topics = [TOPICS.deadLetter.name, ...(output ? [output] : [])];
  const before = await endOffsets(cloud.services.kafkaBootstrap, topics);
  const cpuBefore = cpuTimes();
  const started = performance.now();
  await invokeAll(bench, events);
  const ms = performance.now() - started;
  const cpuAfter = cpuTimes();
  const after = await endOffsets(cloud.services.kafkaBootstrap, topics);
  const added = (topic: string) => sum(after.get(topic)!) - sum(before.get(topic)!);
  const records = batch.records.length;
  if (added(TOPICS.deadLetter.name) > 0) {
    throw new Error(`${functionId} dead-lettered ${added(TOPICS.deadLetter.name)} of the bench's records`);
  }
  // Each record, redelivered or not, publishes its outcome once: a redelivery re-emits it.
  if (output && added(output) !== records) {
    throw new Error(`${functionId} published ${added(output)} records to ${output} for ${records} records`);
  }
  if (functionId === 'orderStatus') await checkStatuses(cloud, batch);
  return {
    records,
    invocations: events.length,
    ms: Math.round(ms),
    recordsPerSecond: Math.round((records / ms) * 1000),
    machineCpuBusy: round(1 - (cpuAfter.idle - cpuBefore.idle) / (cpuAfter.total - cpuBefore.total), 2),
  };
}

/** The topic each record's outcome goes to; the status projector publishes nothing. */
const OUTPUT_TOPIC: Record<BenchedConsumer, TopicName | undefined> = {
  billing: TOPICS.billingOutcome.name,
  inventory: TOPICS.inventoryOutcome.name,
  shipping: TOPICS.shipping.name,
  orderStatus: undefined,
};

async function checkStatuses(cloud: LocalCloud, batch: ConsumerBatch): Promise<void> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(cloud.services.dynamodbEndpoint));
  try {
    const statuses = await readStatusesOf(
      client,
      batch.orders.map((o) => o.order.order_id),
    );
    const wrong = batch.orders.filter((o) => {
      const expected: OrderStatus = o.planned === 'declined' ? 'PAYMENT_DECLINED' : 'PAID';
      return statuses.get(o.order.order_id) !== expected;
    });
    if (wrong.length > 0) {
      throw new Error(
        `orderStatus left ${wrong.length} of ${batch.orders.length} orders without their outcome, e.g. ` +
          `${wrong[0]!.order.order_id}: ${statuses.get(wrong[0]!.order.order_id) ?? 'missing'}`,
      );
    }
  } finally {
    client.destroy();
  }
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** The machine's CPU time so far, all cores: idle and total, in ms. */
function cpuTimes(): { idle: number; total: number } {
  const times = cpus().map((cpu) => cpu.times);
  return {
    idle: sum(times.map((t) => t.idle)),
    total: sum(times.map((t) => t.user + t.nice + t.sys + t.idle + t.irq)),
  };
}

export function formatConsumers(result: ConsumersBenchResult): string[] {
  const { conditionalWritesPerSecond: c } = result;
  const row = (cells: readonly (string | number)[]) =>
    cells.map((cell, n) => (n === 0 ? String(cell).padEnd(12) : String(cell).padStart(COLUMNS[n]!.length))).join('  ');
  return [
    `Consumers: ${result.recordsPerBatch} records over ${[...new Set(result.functions.map((f) => f.partitions))].join('/')} ` +
      `partitions (one in ${result.duplicateEvery} ` +
      `a redelivery) per function, invoked through the local runner; load ${result.load.before} -> ${result.load.after}`,
    `  DynamoDB Local: ${c.measured} conditional PutItem/s at ${c.inFlight} in flight, measured first; each ` +
      'one-invocation run keeps up to partitions x key concurrency records in flight; CPU busy: the whole machine, during the run',
    row(COLUMNS),
    ...result.functions.map((f) =>
      row([
        f.functionId,
        f.keyConcurrency,
        f.perRecord.requests.toFixed(2),
        f.loop.ms,
        f.loop.recordsPerSecond,
        f.loopDynamoDbPerSecond.requests,
        `${Math.round(f.loop.machineCpuBusy * 100)}%`,
        f.sequential.ms,
        f.sequential.recordsPerSecond,
        `${Math.round(f.sequential.machineCpuBusy * 100)}%`,
        f.emptyInvocationMs.toFixed(1),
        `${f.ratio.toFixed(2)} (target ${result.targetRatio})`,
      ]),
    ),
  ];
}

const COLUMNS = [
  'function',
  'key conc.',
  'requests/record',
  'batch ms',
  'records/s',
  'requests/s',
  'CPU busy',
  '1-by-1 ms',
  'records/s',
  'CPU busy',
  'empty invoke ms',
  'ratio            ',
];
