/**
 * The demo of `npm run local`: start the whole local cloud, seed stock, place a plan's orders, wait for
 * each to reach a terminal state and sum the run up with the invariants I1 to I6.
 */
import { summarizeHops } from '../../runtime/runner/hops';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ORDER_STATUSES } from '../../../lambdas/shared/orders/order-status';
import { TOPICS } from '../../../lambdas/shared/contracts/topics';
import {
  ENDPOINTS_FILE,
  formatEndpoints,
  removeEndpointsFile,
  writeEndpointsFile,
  type LocalEndpointsFile,
} from '../console/endpoints';
import { analyticsReport, TOP_PRODUCTS, type AnalyticsApiView } from './analytics-report';
import { BrokerFailover } from './broker-failover';
import type { DemoClick } from './click-generator';
import { postClicks, type PostClicksResult } from './click-client';
import { waitForConsumers } from './consumer-lag';
import { SnapshotView } from './invariants';
import { formatSeconds } from '../format';
import { endOffsets } from './kafka-inspect';
import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import {
  loadCatalogLocally,
  restockLocally,
  startLocalCloud,
  type LocalCloud,
  type StartLocalCloudOptions,
} from './local-cloud';
import { notificationsReport } from './notifications-report';
import { sesEmails } from '../../runtime/services';
import { getOrders, placeOrders, type AcceptedOrder } from './order-client';
import type { DemoPlan, PlannedOutcome } from './order-generator';
import { waitUntilTerminal } from './order-progress';
import { processTreeMemory } from './process-memory';
import { ProgressReporter } from './progress';
import { takeSnapshot } from './snapshot';
import { summarize, type RunSummary, type CloudMemory } from './summary';

export interface DemoCloudOptions {
  /** `host:port` of an existing broker instead of a local one. */
  readonly kafka?: string;
  /** Brokers of the local Kafka cluster: 1 (default) or 3. */
  readonly brokers?: number;
  /** Port of the order API; 0 for a free one. */
  readonly apiPort: number;
  readonly log: (line: string) => void;
  /** Receives each part as soon as it runs, so that the caller can stop it on a signal or a failure. */
  readonly onStarted: (part: { stop(): Promise<void> }) => void;
  /** For the chaos run: DynamoDB Local on a file, and fault settings in functions' environments. */
  readonly persistentDynamoDb?: boolean;
  readonly functionEnvironment?: StartLocalCloudOptions['functionEnvironment'];
  /** IAM and route enforcement (default true). */
  readonly enforce?: boolean;
}

export interface DemoCloud {
  readonly cloud: LocalCloud;
  /** From the start of the process to the API accepting orders. */
  readonly startupMs: number;
}

/** Starts the local cloud, with the functions' logs in `functions.log` of the run's directory. */
export async function startDemoCloud(options: DemoCloudOptions): Promise<DemoCloud> {
  const { log } = options;
  log('Starting the local cloud: synthesizing the CDK app and starting Kafka, DynamoDB Local and S3...');
  let functionLog: ReturnType<typeof createWriteStream> | undefined;
  let runDir = '';
  const cloud = await startLocalCloud({
    kafka: options.kafka,
    brokers: options.brokers,
    apiPort: options.apiPort,
    persistentDynamoDb: options.persistentDynamoDb,
    functionEnvironment: options.functionEnvironment,
    enforce: options.enforce,
    log,
    onServices: (services) => {
      runDir = services.workDir;
      const file = createWriteStream(join(runDir, 'functions.log'), { flags: 'a' });
      functionLog = file;
      // Added first, so closed last: the runner logs until it stops.
      options.onStarted({ stop: () => new Promise<void>((done) => file.end(done)) });
      options.onStarted(services);
    },
    functionLog: (line) => functionLog?.write(`${line}\n`),
  });
  options.onStarted(cloud);
  const startupMs = performance.now();
  log(
    `Order API on ${cloud.api.url} (cloud up in ${formatSeconds(startupMs)}; function logs in ${join(runDir, 'functions.log')})`,
  );
  return { cloud, startupMs };
}

export interface DemoRunOptions {
  /** Orders in flight at once. */
  readonly concurrency: number;
  /** Give up waiting for terminal states after this long (default 120 s + 0.5 s per order). */
  readonly timeoutMs?: number;
  /** An existing broker already holds records: count only what this run adds. */
  readonly existingBroker: boolean;
  /** On a three-broker cluster: SIGKILL one broker once this many orders are placed, and restart it. */
  readonly killBrokerAfter?: number;
  /** How long the killed broker stays down (default 15 s). */
  readonly brokerDownMs?: number;
  /** Brokers killed at once: 1 (default, a failover) or 2 (below min.insync.replicas 2). */
  readonly brokersKilled?: 1 | 2;
  /** Clicks to post to POST /clicks while the orders flow (`--clicks N`). */
  readonly clicks?: readonly DemoClick[];
  readonly log: (line: string) => void;
}

/**
 * Consumers off the order path: the snapshot waits for them to catch up with the run. The archive
 * batches for cost (a window of its own, lib/latency-budget.ts), so it too commits after the orders end.
 */
const SIDE_CONSUMERS = ['analytics', 'notifications', 'archive'] as const;

/** Seeds the plan's stock, places its orders, waits until each is terminal and sums the run up. */
export async function runDemo(demo: DemoCloud, plan: DemoPlan, options: DemoRunOptions): Promise<RunSummary> {
  const { cloud } = demo;
  const since = options.existingBroker
    ? await endOffsets(
        cloud.services.kafkaBootstrap,
        Object.values(TOPICS).map((t) => t.name),
      )
    : undefined;
  await seedPlan(cloud, plan, options.log);
  return runOrders(cloud, plan, options, { startupMs: demo.startupMs, since });
}

/** The demo catalog and the plan's stock, before the first order. */
export async function seedPlan(cloud: LocalCloud, plan: DemoPlan, log: (line: string) => void): Promise<void> {
  await loadCatalogLocally(cloud.services.dynamodbEndpoint, DEMO_CATALOG);
  log(`Seeded the catalog: ${DEMO_CATALOG.length} products`);
  await restockLocally(cloud.runner, plan.stock, `${Date.now()}`);
  log(`Seeded stock: ${plan.stock.map((s) => `${s.product_id} ${s.quantity}`).join(', ')}`);
}

/** What to tell the person running the command while the cloud keeps serving. */
/**
 * A serving cloud tells the console tools (npm run kafka) and the person where it is: it writes the
 * endpoints file and returns the lines to print. The file goes when the cloud stops.
 */
export function announceEndpoints(
  demo: DemoCloud,
  onStarted: DemoCloudOptions['onStarted'],
  served: { readonly lambdaApi?: string } = {},
): string[] {
  const { cloud } = demo;
  const endpoints: LocalEndpointsFile = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    orderApi: cloud.api.url,
    kafkaBootstrap: cloud.services.kafkaBootstrap,
    dynamodb: cloud.services.dynamodbEndpoint,
    s3: cloud.services.s3Endpoint,
    region: cloud.services.region,
    dashboard: `${cloud.api.url}/dashboard`,
    ...served,
    ses: cloud.services.sesEndpoint,
    runDir: cloud.services.workDir,
  };
  writeEndpointsFile(endpoints);
  onStarted({ stop: async () => removeEndpointsFile() });
  const apiUrl = cloud.api.url;
  return [
    `\nThe cloud keeps running (Ctrl+C to stop). Endpoints, also in ${ENDPOINTS_FILE} for npm run kafka:`,
    ...formatEndpoints(endpoints),
    `  curl -s -X POST ${apiUrl}/orders -H 'content-type: application/json' \\`,
    `    -d '{"user_id":"u1","items":[{"product_id":"abc","quantity":1,"unit_price":49.5}],"currency":"USD","payment_method":"credit_card"}'`,
    `  curl -s ${apiUrl}/orders/<order_id>`,
    `  npm run kafka -- consume orders --from-beginning --max 5    (npm run kafka -- --help for more)`,
    ...(served.lambdaApi ? [`  npm run smoke -- --local    (an order end to end, and every mapping's state)`] : []),
  ];
}

async function runOrders(
  cloud: LocalCloud,
  plan: DemoPlan,
  options: DemoRunOptions,
  context: { startupMs: number; since?: Map<string, number[]> },
): Promise<RunSummary> {
  const { log } = options;
  const total = plan.orders.length;
  const timeoutMs = options.timeoutMs ?? 120_000 + total * 500;
  const clicks = options.clicks ?? [];
  log(
    `Placing ${total} orders (${options.concurrency} at a time; timeout ${formatSeconds(timeoutMs)})` +
      `${clicks.length ? ` and posting ${clicks.length} clicks` : ''}...`,
  );
  const progress = new ProgressReporter();
  const accepted: AcceptedOrder[] = [];
  let placedCount = 0;
  let allPlaced = false;
  let firstOrderProcessedMs: number | undefined;
  const counts: Record<string, number> = {};
  let terminalCount = 0;
  let clicksPosted = 0;
  const progressState = () => ({
    total,
    placed: placedCount,
    terminal: terminalCount,
    counts,
    ...(clicks.length ? { clicks: { posted: clicksPosted, total: clicks.length } } : {}),
  });
  // The cloud's memory at its peak: sampled while the orders flow.
  let peakMemory: CloudMemory = { totalRssMb: 0, processes: 0, byPart: {} };
  let lastSample = 0;
  const sampleMemory = () => {
    const processes = processTreeMemory();
    const totalRssMb = processes.reduce((sum, p) => sum + p.rssBytes, 0) / 1024 / 1024;
    if (totalRssMb <= peakMemory.totalRssMb) return;
    const byPart: Record<string, number> = {};
    for (const p of processes) byPart[partOf(p.command)] = (byPart[partOf(p.command)] ?? 0) + p.rssBytes / 1024 / 1024;
    peakMemory = { totalRssMb, processes: processes.length, byPart };
  };

  const cluster = cloud.services.kafka;
  if (options.killBrokerAfter !== undefined && (cluster?.nodes.length ?? 0) < 3) {
    throw new Error('Killing a broker needs the three-broker local cluster (--brokers 3)');
  }
  const failover =
    options.killBrokerAfter === undefined
      ? undefined
      : new BrokerFailover(cluster!, {
          afterOrders: options.killBrokerAfter,
          downMs: options.brokerDownMs ?? 15_000,
          brokersKilled: options.brokersKilled,
          log,
        });

  const ordersStarted = Date.now();
  const placing = placeOrders(cloud.api.url, plan.orders, {
    concurrency: options.concurrency,
    onPlaced: (done) => {
      placedCount = done;
      failover?.onPlaced(done);
    },
    onAccepted: (order) => accepted.push(order),
  }).finally(() => (allPlaced = true));
  const posting: Promise<PostClicksResult> = clicks.length
    ? postClicks(cloud.api.url, clicks, {
        onPosted: (done) => {
          clicksPosted = done;
          progress.update(progressState());
        },
      })
    : Promise.resolve({ accepted: 0, refused: [] });
  const waiting = waitUntilTerminal(cloud.services.dynamodbEndpoint, () => accepted.map((o) => o.order_id), {
    deadline: ordersStarted + timeoutMs,
    allPlaced: () => allPlaced,
    firstTerminal: () => (firstOrderProcessedMs ??= performance.now()),
    onPoll: (statuses) => {
      if (Date.now() - lastSample > 2_000) {
        lastSample = Date.now();
        sampleMemory();
      }
      for (const status of ORDER_STATUSES) counts[status] = 0;
      let terminal = 0;
      for (const order of accepted) {
        const status = statuses.get(order.order_id);
        if (!status) continue;
        counts[status]!++;
        if (status === 'SHIPPED' || status === 'PAYMENT_DECLINED' || status === 'REFUNDED') terminal++;
      }
      failover?.onTerminal(terminal);
      terminalCount = terminal;
      progress.update(progressState());
    },
  });
  const [placed, waited, posted] = await Promise.all([placing, waiting, posting]);
  terminalCount = waited.terminal;
  progress.finish(progressState());
  const ordersDurationMs = (waited.lastTerminalAt ?? Date.now()) - ordersStarted;

  const problems: string[] = [];
  if (waited.timedOut) {
    problems.push(`timed out after ${formatSeconds(timeoutMs)}: ${waited.pending.length} orders not terminal`);
  }
  // The API's own view of every order must agree that it is terminal.
  const views = await getOrders(
    cloud.api.url,
    accepted.map((o) => o.order_id),
  );
  const notTerminal = views.filter((v) => !v.terminal);
  if (notTerminal.length && !waited.timedOut) {
    problems.push(`GET /orders/{id} reports ${notTerminal.length} orders not terminal`);
  }

  sampleMemory();
  if (failover) {
    log('Waiting for the killed broker to be back in sync...');
    await failover.settle();
  }
  log(`Waiting for ${SIDE_CONSUMERS.join(', ')} to catch up with the topics...`);
  const catchUpMs = 60_000 + clicks.length * 20;
  const sideLag = await waitForConsumers(cloud.services.kafkaBootstrap, SIDE_CONSUMERS, { timeoutMs: catchUpMs });
  if (sideLag.lag > 0) {
    problems.push(
      `${sideLag.lag} records still unprocessed by ${sideLag.groups.join(', ')} after ${formatSeconds(catchUpMs)}`,
    );
  }
  log('Collecting the summary (tables, topics, archive, analytics, mails)...');
  const snapshot = await takeSnapshot(cloud.services, { since: context.since });
  const view = new SnapshotView(snapshot);
  const analytics = analyticsReport(
    view,
    await readAnalyticsApi(cloud.api.url),
    clicks.length ? posted.accepted : undefined,
  );
  const notifications = notificationsReport(
    view,
    await sesEmails(cloud.services.sesEndpoint),
    new Set(accepted.map((o) => o.order_id)),
  );
  const failoverReport = failover?.report(snapshot.records);
  if (failover && !failoverReport)
    problems.push(`no broker was killed: fewer than ${options.killBrokerAfter} orders placed`);
  const planned = new Map<string, PlannedOutcome>(
    accepted.flatMap((o) => (o.planned ? [[o.order_id, o.planned] as const] : [])),
  );
  return summarize({
    snapshot,
    sent: total,
    refused: placed.refused.length,
    acceptedOrderIds: accepted.map((o) => o.order_id),
    planned,
    mappings: cloud.runner.stats().mappings,
    hops: Object.entries(cloud.runner.drainHops()).flatMap(([id, samples]) => summarizeHops(id, samples) ?? []),
    enforcement: cloud.runner.stats().enforcement,
    timing: {
      startup: cloud.startup,
      startupMs: context.startupMs,
      firstOrderProcessedMs,
      ordersDurationMs,
      ordersPerSecond: waited.timedOut ? undefined : (accepted.length / ordersDurationMs) * 1000,
    },
    memory: peakMemory,
    failover: failoverReport,
    analytics,
    notifications,
    dashboard: { url: `${cloud.api.url}/dashboard` },
    existingBroker: options.existingBroker,
    problems: [
      ...problems,
      ...placed.refused.slice(0, 5).map((r) => `refused (${r.status}): ${r.body.slice(0, 200)}`),
      ...posted.refused.slice(0, 5).map((r) => `${r.clicks} clicks refused (${r.status}): ${r.body}`),
    ],
  });
}

/** What the dashboard reads: the last hour's top products, the all-time totals and the summary's counters. */
async function readAnalyticsApi(apiUrl: string): Promise<AnalyticsApiView> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${apiUrl}${path}`);
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const [popular, summary] = await Promise.all([
    get<AnalyticsApiView['popular']>(`/analytics/popular-products?window=1h&limit=${TOP_PRODUCTS}`),
    get<Pick<AnalyticsApiView, 'totals' | 'orders' | 'notifications'>>('/analytics/summary'),
  ]);
  return { popular, totals: summary.totals, orders: summary.orders, notifications: summary.notifications };
}

/** Which part of the cloud a process is, from its command line. */
function partOf(command: string): string {
  if (command.includes('kafka.Kafka')) return 'kafka';
  if (command.includes('DynamoDBLocal')) return 'dynamodb-local';
  if (command.includes('s3rver')) return 's3rver';
  if (command.includes('runner/host/runtime')) return 'functions';
  return 'command';
}
