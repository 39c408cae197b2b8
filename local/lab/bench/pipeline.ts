/**
 * `npm run bench` section `pipeline`: orders through the local cloud of `npm run local` (its start, its
 * order generator and API client), against the local limit measured on the same DynamoDB Local in
 * the same run, and order->terminal latency at steady arrival rates of 1 order/s and half that limit,
 * with each record's time on the mappings an order waits for (in the topic, the window, the invocation).
 */
import { CreateTableCommand, DeleteTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import type { OrderStatus } from '../../../lambdas/shared/orders/order-status';
import {
  loadCatalogLocally,
  restockLocally,
  startLocalCloud,
  type LocalCloud,
  type CloudStartup,
} from '../demo/local-cloud';
import { placeOrders, type AcceptedOrder } from '../demo/order-client';
import { readTerminalTimesOf } from '../demo/order-progress';
import { generateDemoPlan, type DemoPlan } from '../demo/order-generator';
import { ORDER_PATH_FUNCTIONS } from '../../../lib/latency-budget';
import { summarizeHops, type MappingStats } from '../../runtime/runner';
import { localDynamoDbClient } from '../../runtime/services';
import {
  localLimit,
  meanItemWritesPerOrder,
  percentile,
  round,
  watchMachineLoad,
  type LocalLimit,
  type MachineLoad,
} from './pipeline-figures';

export interface PipelineBenchOptions {
  /** Orders of the throughput run (default 1,000). */
  readonly orders?: number;
  /** Orders placed the same way before it, on the stack as it started (default 500). */
  readonly warmUpOrders?: number;
  /** Seconds of steady arrivals in the latency run (default 20). */
  readonly latencySeconds?: number;
  readonly log?: (line: string) => void;
}

export interface PipelineBenchResult {
  readonly startup: CloudStartup & { readonly apiReadyMs: number };
  /**
   * The first orders on the stack as it started, at full load: their time includes every function's
   * execution environments starting and the JIT of DynamoDB Local, the broker and the hosts warming.
   */
  readonly warmUp: { readonly orders: number; readonly ms: number; readonly ordersPerSecond: number };
  /** Full load on the warmed stack, the figure the limit (measured warm) is compared with. */
  readonly throughput: {
    readonly orders: number;
    /** Orders placed at once by the client. */
    readonly concurrency: number;
    readonly ms: number;
    readonly ordersPerSecond: number;
  };
  readonly localLimit: LocalLimit & { readonly measuredWritesPerSecond: { before: number; after: number } };
  /** Throughput over the local limit; the target is 0.5. */
  readonly fractionOfLimit: number;
  /** Order -> terminal latency at each steady arrival rate: 1 order/s, and half the local limit. */
  readonly latency: readonly LatencyRun[];
  /** The mappings busiest during the throughput run: where the time went. */
  readonly busiestMappings: readonly { readonly id: string; readonly busyMs: number; readonly invocations: number }[];
  readonly load: MachineLoad;
}

export interface LatencyRun {
  readonly arrivalsPerSecond: number;
  readonly fractionOfLimit: number;
  readonly orders: number;
  /** From sending the POST /orders that was accepted to the status projector recording the fact that made the order terminal. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** The mappings an order waits for, each record's time there: medians in the source, the window and the invocation. */
  readonly hops: readonly { mapping: string; records: number; waitMs: number; windowMs: number; invokeMs: number }[];
}

/** As the throughput issue measured it: 16 conditional PutItem in flight. */
export const WRITE_RATE_IN_FLIGHT = 16;
const WRITE_RATE_WRITES = 2_000;
const THROUGHPUT_CONCURRENCY = 16;
const ORDER_TIMEOUT_MS = 600_000;
const POLL_MS = 1_000;

export async function benchPipeline(options: PipelineBenchOptions = {}): Promise<PipelineBenchResult> {
  const log = options.log ?? (() => undefined);
  const orders = options.orders ?? 1_000;
  const load = watchMachineLoad();
  const started = performance.now();
  // The functions' logs go where `npm run local` puts them: the run's directory under .local/runs/.
  let functionLog: WriteStream | undefined;
  const cloud = await startLocalCloud({
    apiPort: 0,
    onServices: (services) => (functionLog = createWriteStream(join(services.workDir, 'functions.log'))),
    functionLog: (line) => functionLog?.write(`${line}\n`),
  });
  try {
    const apiReadyMs = performance.now() - started;
    log(`cloud up in ${(apiReadyMs / 1000).toFixed(1)} s`);
    await loadCatalogLocally(cloud.services.dynamodbEndpoint, DEMO_CATALOG);

    // Throughput and limit are both measured on a warm stack. On a cold one the first 1,000 orders
    // also paid for starting the functions' environments and warming the JITs: DynamoDB Local's
    // rate measured 935 conditional writes/s before such a run and 1,961 after it (2026-12-06).
    const warmUp = await fullLoad(cloud, generateDemoPlan(options.warmUpOrders ?? 500, 'bench-warm-up'), (line) =>
      log(`warm-up: ${line}`),
    );

    const writeRateBefore = await conditionalWriteRate(cloud.services.dynamodbEndpoint);
    log(`DynamoDB Local: ${writeRateBefore.toFixed(0)} conditional PutItem/s at ${WRITE_RATE_IN_FLIGHT} in flight`);

    const busyBefore = cloud.runner.stats().mappings;
    const run = await fullLoad(cloud, generateDemoPlan(orders, 'bench-throughput'), log);
    const mappings = since(busyBefore, cloud.runner.stats().mappings);
    const relay = mappings.find((m) => m.kind === 'dynamodb');
    const relayBatch = relay && relay.invocations > 0 ? relay.committedOffsets / relay.invocations : 1;
    // Measured again after the run: on a shared machine the rate moves with the load; the higher
    // of the two makes the limit the harder one to reach.
    const writeRateAfter = await conditionalWriteRate(cloud.services.dynamodbEndpoint);
    log(`DynamoDB Local: ${writeRateAfter.toFixed(0)} conditional PutItem/s after the run`);
    const limit = localLimit(
      Math.max(writeRateBefore, writeRateAfter),
      WRITE_RATE_IN_FLIGHT,
      meanItemWritesPerOrder(run.finished, relayBatch),
    );

    const latency: LatencyRun[] = [];
    for (const arrivalsPerSecond of [1, limit.ordersPerSecond / 2]) {
      latency.push(await latencyRun(cloud, arrivalsPerSecond, limit.ordersPerSecond, options.latencySeconds ?? 20));
      log(formatLatencyRun(latency.at(-1)!));
    }

    return {
      startup: { ...cloud.startup, apiReadyMs: Math.round(apiReadyMs) },
      warmUp: {
        orders: warmUp.finished.length,
        ms: Math.round(warmUp.ms),
        ordersPerSecond: round(warmUp.ordersPerSecond, 2),
      },
      throughput: {
        orders: run.finished.length,
        concurrency: THROUGHPUT_CONCURRENCY,
        ms: Math.round(run.ms),
        ordersPerSecond: round(run.ordersPerSecond, 2),
      },
      localLimit: {
        ...limit,
        measuredWritesPerSecond: { before: Math.round(writeRateBefore), after: Math.round(writeRateAfter) },
      },
      fractionOfLimit: round(run.ordersPerSecond / limit.ordersPerSecond, 2),
      latency,
      busiestMappings: [...mappings]
        .sort((a, b) => b.busyMs - a.busyMs)
        .slice(0, 5)
        .map(({ id, busyMs, invocations }) => ({ id, busyMs, invocations })),
      load: load.end(),
    };
  } finally {
    await cloud.stop();
    functionLog?.end();
  }
}

/**
 * Orders at a steady rate for `seconds` (at least 10 orders, at most 300), each order's time to its
 * terminal state, and where the records spent it on the mappings an order waits for.
 */
async function latencyRun(
  cloud: LocalCloud,
  arrivalsPerSecond: number,
  limitOrdersPerSecond: number,
  seconds: number,
): Promise<LatencyRun> {
  const count = Math.min(300, Math.max(10, Math.round(arrivalsPerSecond * seconds)));
  const plan = generateDemoPlan(count, `bench-latency-${Math.round(arrivalsPerSecond * 100)}`);
  cloud.runner.drainHops();
  const steady = await runOrders(cloud, plan, { ratePerSecond: arrivalsPerSecond, concurrency: 64 });
  const latencies = steady.finished.map((o) => o.terminalAt - o.sentAt);
  const hops = cloud.runner.drainHops();
  const onPath = cloud.runner
    .stats()
    .mappings.filter(
      (m) => m.kind === 'dynamodb' || (ORDER_PATH_FUNCTIONS as readonly string[]).includes(m.functionId),
    );
  return {
    arrivalsPerSecond: round(arrivalsPerSecond, 2),
    fractionOfLimit: round(arrivalsPerSecond / limitOrdersPerSecond, 2),
    orders: steady.finished.length,
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    p99Ms: Math.round(percentile(latencies, 99)),
    hops: onPath.flatMap((m) => {
      const summary = summarizeHops(m.id, hops[m.id] ?? []);
      return summary
        ? [
            {
              mapping: m.id,
              records: summary.records,
              waitMs: summary.waitMs,
              windowMs: summary.windowMs,
              invokeMs: summary.invokeMs,
            },
          ]
        : [];
    }),
  };
}

function formatLatencyRun(run: LatencyRun): string {
  return (
    `${run.arrivalsPerSecond} orders/s (${run.fractionOfLimit} of the limit, ${run.orders} orders): ` +
    `p50 ${run.p50Ms} ms, p95 ${run.p95Ms} ms, p99 ${run.p99Ms} ms`
  );
}

/** The plan's orders placed THROUGHPUT_CONCURRENCY at a time, and their rate to the last terminal fact. */
async function fullLoad(
  cloud: LocalCloud,
  plan: DemoPlan,
  log: (line: string) => void,
): Promise<{ finished: FinishedOrder[]; ms: number; ordersPerSecond: number }> {
  const run = await runOrders(cloud, plan, { concurrency: THROUGHPUT_CONCURRENCY });
  const ordersPerSecond = (run.finished.length / run.ms) * 1000;
  log(`${run.finished.length} orders in ${(run.ms / 1000).toFixed(1)} s: ${ordersPerSecond.toFixed(1)} orders/s`);
  return { ...run, ordersPerSecond };
}

interface FinishedOrder extends AcceptedOrder {
  readonly lines: number;
  readonly status: OrderStatus;
  /** When the status projector recorded the fact that made it terminal (ms since the epoch). */
  readonly terminalAt: number;
}

/**
 * Seeds the plan's stock, places its orders and waits for each to be terminal; from the first POST
 * to the last terminal fact. Each order's terminal time is the one its item records
 * (readTerminalTimesOf), so polling once a second loses no precision: polls of every pending order
 * every 50 ms read more items a second than the pipeline wrote, from the DynamoDB Local it measures.
 */
async function runOrders(
  cloud: LocalCloud,
  plan: DemoPlan,
  placing: { concurrency: number; ratePerSecond?: number },
): Promise<{ finished: FinishedOrder[]; ms: number }> {
  await restockLocally(cloud.runner, plan.stock, `${plan.orders[0]?.idempotencyKey}-${Date.now()}`);
  const lines = new Map(plan.orders.map((o) => [o.idempotencyKey, o.request.items.length]));
  const accepted: AcceptedOrder[] = [];
  const startedAt = Date.now();
  let placed = false;
  const placement = placeOrders(cloud.api.url, plan.orders, {
    ...placing,
    onAccepted: (order) => accepted.push(order),
  }).finally(() => (placed = true));
  const finished: FinishedOrder[] = [];
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(cloud.services.dynamodbEndpoint));
  try {
    let watched = 0;
    const pending = new Map<string, AcceptedOrder>();
    while (!placed || pending.size > 0 || watched < accepted.length) {
      for (; watched < accepted.length; watched++) pending.set(accepted[watched]!.order_id, accepted[watched]!);
      for (const [orderId, { status, terminalAt }] of await readTerminalTimesOf(client, [...pending.keys()])) {
        const order = pending.get(orderId)!;
        pending.delete(orderId);
        finished.push({ ...order, lines: lines.get(order.idempotencyKey) ?? 1, status, terminalAt });
      }
      if (Date.now() - startedAt > ORDER_TIMEOUT_MS) throw new Error(`${pending.size} orders not terminal in time`);
      if (pending.size > 0 || !placed) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const { refused } = await placement;
    if (refused.length > 0) throw new Error(`${refused.length} orders refused: ${refused[0]!.body}`);
  } finally {
    client.destroy();
  }
  const last = Math.max(...finished.map((o) => o.terminalAt));
  return { finished, ms: last - startedAt };
}

/**
 * DynamoDB Local's rate of conditional PutItem (attribute_not_exists) with WRITE_RATE_IN_FLIGHT
 * requests in flight, on a table of its own, after a warm-up.
 */
export async function conditionalWriteRate(endpoint: string): Promise<number> {
  const client = localDynamoDbClient(endpoint);
  const table = `bench-write-rate-${Date.now()}`;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const write = (key: string) =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: key }, at: { S: new Date().toISOString() }, amount: { N: '99.5' } },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    const writeAll = async (prefix: string, count: number) => {
      let next = 0;
      const worker = async () => {
        while (next < count) await write(`${prefix}-${next++}`);
      };
      await Promise.all(Array.from({ length: WRITE_RATE_IN_FLIGHT }, worker));
    };
    await writeAll('warm-up', 300);
    const started = performance.now();
    await writeAll('measured', WRITE_RATE_WRITES);
    return (WRITE_RATE_WRITES / (performance.now() - started)) * 1000;
  } finally {
    await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    client.destroy();
  }
}

/** Each mapping's counters over an interval. */
function since(before: readonly MappingStats[], after: readonly MappingStats[]): MappingStats[] {
  return after.map((a) => {
    const b = before.find((m) => m.id === a.id);
    return b
      ? {
          ...a,
          busyMs: a.busyMs - b.busyMs,
          invocations: a.invocations - b.invocations,
          committedOffsets: a.committedOffsets - b.committedOffsets,
        }
      : a;
  });
}

export function formatPipeline(result: PipelineBenchResult): string[] {
  const { throughput: t, localLimit: l } = result;
  return [
    `Pipeline: ${t.orders} orders through the local cloud (${t.concurrency} placed at once), load ${result.load.before} -> ${result.load.after}`,
    `  API ready after             ${(result.startup.apiReadyMs / 1000).toFixed(1)} s (synthesis ${result.startup.synthReused ? 'reused' : 'run'})`,
    `  warm-up                     ${result.warmUp.ordersPerSecond} orders/s (${result.warmUp.orders} orders on the stack as it started)`,
    `  throughput                  ${t.ordersPerSecond} orders/s (warm)`,
    `  local limit                 ${l.ordersPerSecond} orders/s = ${l.conditionalWritesPerSecond} conditional writes/s (${l.inFlight} in flight;` +
      ` ${l.measuredWritesPerSecond.before} before the run, ${l.measuredWritesPerSecond.after} after) / ${l.itemWritesPerOrder} item writes per order`,
    `  fraction of the limit       ${result.fractionOfLimit} (target 0.5)`,
    ...result.latency.map((run) => `  order -> terminal latency   ${formatLatencyRun(run)}`),
    `  busiest mappings            ${result.busiestMappings.map((m) => `${m.id} ${(m.busyMs / 1000).toFixed(1)} s`).join(', ')}`,
    ...result.latency.flatMap((run) => [
      `  hops at ${run.arrivalsPerSecond} orders/s (median ms)   source  window  invocation  records`,
      ...run.hops.map(
        (h) =>
          `    ${h.mapping.padEnd(36)} ${String(h.waitMs).padStart(6)}  ${String(h.windowMs).padStart(6)}  ${String(h.invokeMs).padStart(10)}  ${String(h.records).padStart(7)}`,
      ),
    ]),
  ];
}
