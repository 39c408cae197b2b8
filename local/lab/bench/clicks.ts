/**
 * `npm run bench` section `clicks`: the analytics store counting clicks on DynamoDB Local as one
 * invocation of the analytics consumer drives it (KEY_CONCURRENCY records of each of six partitions
 * in flight: 48 transactions at once), with the counters unsharded (1 shard, every transaction on
 * the same totals and minute items) and sharded (ANALYTICS_COUNTER_SHARDS), side by side in one
 * run on one DynamoDB Local. Clicks/s are the clicks counted over the wall time of the run; the
 * conflict rate is the share of transactions cancelled by TransactionConflict. A click whose
 * conflicts outlast the store's attempts is a failed click: the consumer would hand it back.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { performance } from 'node:perf_hooks';
import { DynamoDbAnalyticsStore } from '../../../lambdas/analytics/adapters/dynamodb-analytics-store';
import { DynamoDbAnalyticsReader } from '../../../lambdas/analytics-api/adapters/dynamodb-analytics-reader';
import { minuteOf } from '../../../lambdas/shared/analytics/analytics-keys';
import { ANALYTICS_COUNTER_SHARDS } from '../../../lambdas/shared/contracts/tables';
import { KEY_CONCURRENCY } from '../../../lambdas/shared/kafka/batch';
import { localTableName } from '../app-bindings';
import { forEachConcurrently } from '../concurrency';
import { generateClicks } from '../demo/click-generator';
import { createTables, localDynamoDbClient, newRunDir, startDynamoDbLocal } from '../../runtime/services';
import { round, watchMachineLoad, type MachineLoad } from './pipeline-figures';

/** Six partitions of KEY_CONCURRENCY keys each: what one invocation keeps in flight. */
export const CLICKS_IN_FLIGHT = 6 * KEY_CONCURRENCY;
/** A run stops taking new clicks after this long, whatever is left: the section stays bounded. */
const MAX_RUN_MS = 60_000;
/** Clicks counted before the measured runs, on a table of their own. */
const WARM_UP_CLICKS = 200;

export interface ClicksRun {
  readonly shards: number;
  readonly clicks: number;
  readonly counted: number;
  /** Clicks still cancelled by TransactionConflict after the store's attempts. */
  readonly failed: number;
  /** Clicks not started because the run reached MAX_RUN_MS. */
  readonly notStarted: number;
  readonly ms: number;
  readonly clicksPerSecond: number;
  readonly transactions: number;
  readonly conflicts: number;
  /** conflicts / transactions. */
  readonly conflictRate: number;
  /** The clicks the analytics API reads back (totals summed over the shards): must equal `counted`. */
  readonly readBack: number;
}

export interface ClicksBenchResult {
  readonly inFlight: number;
  readonly products: number;
  readonly unsharded: ClicksRun;
  readonly sharded: ClicksRun;
  /** sharded clicks/s over unsharded clicks/s. */
  readonly ratio: number;
  readonly load: MachineLoad;
}

export async function benchClicks(
  options: { clicks?: number; log?: (line: string) => void } = {},
): Promise<ClicksBenchResult> {
  const clicks = options.clicks ?? 2_000;
  const log = options.log ?? (() => undefined);
  const load = watchMachineLoad();
  const workDir = newRunDir();
  const dynamodb = await startDynamoDbLocal({ workDir });
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodb.endpoint));
  try {
    log(`DynamoDB Local up (${workDir}); ${clicks} clicks per run, ${CLICKS_IN_FLIGHT} in flight`);
    // The demo's skewed popularity, so the product items conflict as a shop's would.
    const stream = generateClicks(clicks * 2 + WARM_UP_CLICKS, 'bench-clicks');
    const products = new Set(stream.map((c) => c.product_id)).size;
    const tables = {
      warmUp: await freshAnalyticsTable(dynamodb.endpoint, 'warm-up'),
      unsharded: await freshAnalyticsTable(dynamodb.endpoint, 'shards-1'),
      sharded: await freshAnalyticsTable(dynamodb.endpoint, `shards-${ANALYTICS_COUNTER_SHARDS}`),
    };
    // The JVM's and Node's warm-up first, on a table of its own; then A B B A in halves, so that
    // a drift of the shared machine's load over the run weighs on both alike.
    await run(client, tables.warmUp, ANALYTICS_COUNTER_SHARDS, stream.slice(0, WARM_UP_CLICKS));
    const half = Math.ceil(clicks / 2);
    const at = (i: number) =>
      stream.slice(WARM_UP_CLICKS + i * half, WARM_UP_CLICKS + Math.min((i + 1) * half, 2 * clicks));
    const a1 = await run(client, tables.unsharded, 1, at(0));
    const b1 = await run(client, tables.sharded, ANALYTICS_COUNTER_SHARDS, at(1));
    const b2 = await run(client, tables.sharded, ANALYTICS_COUNTER_SHARDS, at(2));
    const a2 = await run(client, tables.unsharded, 1, at(3));
    const unsharded = await figures(client, tables.unsharded, 1, [a1, a2], log);
    const sharded = await figures(client, tables.sharded, ANALYTICS_COUNTER_SHARDS, [b1, b2], log);
    return {
      inFlight: CLICKS_IN_FLIGHT,
      products,
      unsharded,
      sharded,
      ratio: round(sharded.clicksPerSecond / unsharded.clicksPerSecond, 2),
      load: load.end(),
    };
  } finally {
    client.destroy();
    await dynamodb.stop();
  }
}

interface RawRun {
  readonly clicks: number;
  readonly counted: number;
  readonly failed: number;
  readonly notStarted: number;
  readonly ms: number;
  readonly transactions: number;
  readonly conflicts: number;
}

async function run(
  client: DynamoDBDocumentClient,
  table: string,
  shards: number,
  stream: ReturnType<typeof generateClicks>,
): Promise<RawRun> {
  let transactions = 0;
  let conflicts = 0;
  // Every send is one transaction: counted through the client the store uses.
  const counting = { send: (command: never) => (transactions++, client.send(command)) } as DynamoDBDocumentClient;
  const store = new DynamoDbAnalyticsStore(counting, table, { shards, onConflict: () => conflicts++ });
  let counted = 0;
  let failed = 0;
  let notStarted = 0;
  const started = performance.now();
  const now = new Date();
  await forEachConcurrently(stream, CLICKS_IN_FLIGHT, async (click) => {
    if (performance.now() - started > MAX_RUN_MS) {
      notStarted++;
      return;
    }
    try {
      const result = await store.countClick({
        event_id: click.click_id,
        user_id: click.user_id,
        product_id: click.product_id,
        clicked_at: now.toISOString(),
        minute: minuteOf(now),
        late: false,
      });
      if (result.kind === 'counted') counted++;
    } catch {
      failed++;
    }
  });
  return {
    clicks: stream.length,
    counted,
    failed,
    notStarted,
    ms: performance.now() - started,
    transactions,
    conflicts,
  };
}

async function figures(
  client: DynamoDBDocumentClient,
  table: string,
  shards: number,
  runs: readonly RawRun[],
  log: (line: string) => void,
): Promise<ClicksRun> {
  const sum = (field: keyof RawRun) => runs.reduce((total, r) => total + r[field], 0);
  const ms = sum('ms');
  const [counted, transactions, conflicts, failed] = [
    sum('counted'),
    sum('transactions'),
    sum('conflicts'),
    sum('failed'),
  ];
  const result: ClicksRun = {
    shards,
    clicks: sum('clicks'),
    counted,
    failed,
    notStarted: sum('notStarted'),
    ms: Math.round(ms),
    clicksPerSecond: round((counted / ms) * 1000, 1),
    transactions,
    conflicts,
    conflictRate: round(transactions === 0 ? 0 : conflicts / transactions, 3),
    readBack: (await new DynamoDbAnalyticsReader(client, table, shards).totals()).clicks,
  };
  log(
    `${shards} shard(s): ${counted} clicks counted in ${(ms / 1000).toFixed(1)} s, ${result.clicksPerSecond} clicks/s, ` +
      `${conflicts} of ${transactions} transactions conflicted (${(result.conflictRate * 100).toFixed(1)} %), ${failed} failed`,
  );
  return result;
}

/** A new analytics table under its own name, defined as the local runtime defines TABLES.analytics. */
async function freshAnalyticsTable(endpoint: string, suffix: string): Promise<string> {
  const name = `${localTableName('analytics')}-${suffix}`;
  await createTables(endpoint, [{ name, partitionKey: 'pk' }]);
  return name;
}

export function formatClicks(result: ClicksBenchResult): string[] {
  const row = (r: ClicksRun) =>
    `${String(r.shards).padStart(6)}  ${String(r.counted).padStart(7)}  ${r.clicksPerSecond.toFixed(1).padStart(8)}` +
    `  ${(r.conflictRate * 100).toFixed(1).padStart(13)}  ${String(r.failed).padStart(6)}  ${String(r.readBack).padStart(9)}`;
  return [
    `Clicks: the analytics store on DynamoDB Local, ${result.inFlight} transactions in flight, ${result.products} products`,
    'shards  counted  clicks/s  conflicts (%)  failed  read back',
    row(result.unsharded),
    row(result.sharded),
    `sharded / unsharded: ${result.ratio.toFixed(2)}`,
  ];
}
