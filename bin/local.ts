/**
 * `npm run local`: the whole order pipeline on this machine, on real components.
 *
 * Synthesizes the CDK app, starts an Apache Kafka broker (KRaft), DynamoDB Local and an S3
 * stand-in on 127.0.0.1, runs every function's bundle under the local event source mapping runner,
 * serves the order API over HTTP, seeds stock, places demo orders, waits for each to reach a
 * terminal state and prints a summary with the invariants I1 to I6.
 *
 *   npm run local                      demo orders, then keep serving the API until Ctrl+C
 *   npm run local -- --orders 200      run 200 orders and exit (non-zero if an invariant fails)
 *
 * Ctrl+C, or the end of a run, stops every process this command started.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ORDER_STATUSES } from '../lambdas/orders/order-status';
import { TOPICS } from '../lambdas/shared/contracts/topics';
import { ENDPOINTS_FILE, formatEndpoints, removeEndpointsFile, writeEndpointsFile } from '../local/console/endpoints';
import { endOffsets } from '../lib/local/demo/kafka-inspect';
import { seconds, seedStock, startLocalStack, type LocalStack } from '../lib/local/demo/local-stack';
import { getOrders, placeOrders, type AcceptedOrder } from '../lib/local/demo/order-client';
import {
  generateDemoPlan,
  readOrdersFile,
  type DemoPlan,
  type PlannedOutcome,
} from '../lib/local/demo/order-generator';
import { waitUntilTerminal } from '../lib/local/demo/order-progress';
import { processTreeMemory } from '../lib/local/demo/process-memory';
import { ProgressReporter } from '../lib/local/demo/progress';
import { takeSnapshot } from '../lib/local/demo/snapshot';
import { formatSummary, summarize, type RunSummary, type StackMemory } from '../lib/local/demo/summary';
import type { LocalServices } from '../lib/local/services';

const DEFAULT_DEMO_ORDERS = 20;
const DEFAULT_SERVE_PORT = 3000;

const USAGE = `Usage: npm run local -- [options]

  --orders N           place N demo orders, wait until all are terminal, print the summary and exit
                       (exit code 1 if an invariant fails or the run times out)
  --orders-file FILE   place the orders of an NDJSON file (one POST /orders body per line) instead
  --kafka HOST:PORT    use this Kafka broker instead of starting one
  --seed S             seed of the demo order generator (default "demo")
  --concurrency C      orders in flight at once (default 8)
  --port P             port of the order API (default 3000 when serving, a free one with --orders; 0 = any)
  --timeout SECONDS    give up waiting for terminal states after this long (default 120 + N/2)
  --summary-json FILE  also write the summary as JSON
  --help               this text

Without --orders (or --orders-file) the command places ${DEFAULT_DEMO_ORDERS} demo orders, prints the summary and keeps
serving the API until Ctrl+C.`;

interface Options {
  readonly orders?: number;
  readonly ordersFile?: string;
  readonly kafka?: string;
  readonly seed: string;
  readonly concurrency: number;
  readonly port: number;
  readonly timeoutMs?: number;
  readonly summaryJson?: string;
}

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      orders: { type: 'string' },
      'orders-file': { type: 'string' },
      kafka: { type: 'string' },
      seed: { type: 'string', default: 'demo' },
      concurrency: { type: 'string', default: '8' },
      port: { type: 'string' },
      timeout: { type: 'string' },
      'summary-json': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const positive = (name: string, raw: string | undefined, allowZero = false) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1))
      throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
    return n;
  };
  if (values.kafka !== undefined && !/^[^:\s]+:\d+$/.test(values.kafka)) {
    throw new UsageError(`--kafka must be host:port, got "${values.kafka}"`);
  }
  if (values.orders !== undefined && values['orders-file'] !== undefined) {
    throw new UsageError('--orders and --orders-file are exclusive');
  }
  const orders = positive('orders', values.orders);
  const batch = orders !== undefined || values['orders-file'] !== undefined;
  const timeout = positive('timeout', values.timeout);
  return {
    orders,
    ordersFile: values['orders-file'],
    kafka: values.kafka,
    seed: values.seed,
    concurrency: positive('concurrency', values.concurrency)!,
    port: positive('port', values.port, true) ?? (batch ? 0 : DEFAULT_SERVE_PORT),
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    summaryJson: values['summary-json'],
  };
}

class UsageError extends Error {}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  let options: Options | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    say(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!options) {
    say(USAGE);
    return 0;
  }
  const batch = options.orders !== undefined || options.ordersFile !== undefined;
  const plan: DemoPlan = options.ordersFile
    ? readOrdersFile(options.ordersFile)
    : generateDemoPlan(options.orders ?? DEFAULT_DEMO_ORDERS, options.seed);

  // Ctrl+C: stop what is running, then exit. A second Ctrl+C exits at once; the process groups of
  // the components die with this process either way (see lib/local/services/process.ts).
  const started: { stack?: LocalStack; services?: LocalServices } = {};
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`\n${signal}: stopping everything this command started...`);
    void (started.stack?.stop() ?? started.services?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  // SIGHUP: the terminal was closed.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  say('Starting the local stack: synthesizing the CDK app and starting Kafka, DynamoDB Local and S3...');
  const runDir = { current: '' };
  const functionLogFile = { stream: undefined as ReturnType<typeof createWriteStream> | undefined };
  const stack = await startLocalStack({
    kafka: options.kafka,
    apiPort: options.port,
    log: say,
    onServices: (s) => {
      started.services = s;
      runDir.current = s.workDir;
      functionLogFile.stream = createWriteStream(join(s.workDir, 'functions.log'), { flags: 'a' });
    },
    functionLog: (line) => functionLogFile.stream?.write(`${line}\n`),
  });
  started.stack = stack;
  const startupMs = performance.now();
  say(
    `Order API on ${stack.api.url} (stack up in ${seconds(startupMs)}; function logs in ${join(runDir.current, 'functions.log')})`,
  );
  if (!batch) {
    // A serving stack tells the console tools (npm run kafka) and the person where it is.
    const endpoints = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      orderApi: stack.api.url,
      kafkaBootstrap: stack.services.kafkaBootstrap,
      dynamodb: stack.services.dynamodbEndpoint,
      s3: stack.services.s3Endpoint,
      region: stack.services.region,
      runDir: runDir.current,
    };
    writeEndpointsFile(endpoints);
    process.once('exit', () => removeEndpointsFile());
    say(`Endpoints (also in ${ENDPOINTS_FILE}, read by \`npm run kafka\`):\n${formatEndpoints(endpoints).join('\n')}`);
  }

  try {
    const since = options.kafka
      ? await endOffsets(
          stack.services.kafkaBootstrap,
          Object.values(TOPICS).map((t) => t.name),
        )
      : undefined;
    const runId = `${Date.now()}`;
    await seedStock(stack.runner, plan.stock, runId);
    say(`Seeded stock: ${plan.stock.map((s) => `${s.product_id} ${s.quantity}`).join(', ')}`);

    const summary = await runOrders(stack, plan, options, { startupMs, since, batch });
    process.stdout.write(formatSummary(summary));
    if (options.summaryJson) {
      writeFileSync(options.summaryJson, JSON.stringify(summary, null, 2));
      say(`Summary written to ${options.summaryJson}`);
    }
    if (batch) return summary.ok ? 0 : 1;

    say(
      `\nThe stack keeps running (Ctrl+C to stop). Order API: ${stack.api.url}, Kafka: ${stack.services.kafkaBootstrap}`,
    );
    say(`  curl -s -X POST ${stack.api.url}/orders -H 'content-type: application/json' \\`);
    say(
      `    -d '{"user_id":"u1","items":[{"product_id":"abc","quantity":1,"unit_price":49.5}],"currency":"USD","payment_method":"credit_card"}'`,
    );
    say(`  curl -s ${stack.api.url}/orders/<order_id>`);
    say(`  npm run kafka -- consume orders --from-beginning --max 5    (npm run kafka -- --help for more)`);
    await new Promise<never>(() => undefined);
    return 0;
  } finally {
    if (!interrupted) {
      await stack.stop();
      functionLogFile.stream?.end();
    }
  }
}

async function runOrders(
  stack: LocalStack,
  plan: DemoPlan,
  options: Options,
  context: { startupMs: number; since?: Map<string, number[]>; batch: boolean },
): Promise<RunSummary> {
  const total = plan.orders.length;
  const timeoutMs = options.timeoutMs ?? 120_000 + total * 500;
  say(`Placing ${total} orders (${options.concurrency} at a time; timeout ${seconds(timeoutMs)})...`);
  const progress = new ProgressReporter();
  const accepted: AcceptedOrder[] = [];
  let placedCount = 0;
  let allPlaced = false;
  let firstOrderProcessedMs: number | undefined;
  const counts: Record<string, number> = {};
  // The stack's memory at its peak: sampled while the orders flow.
  let peakMemory: StackMemory = { totalRssMb: 0, processes: 0, byPart: {} };
  let lastSample = 0;
  const sampleMemory = () => {
    const processes = processTreeMemory();
    const totalRssMb = processes.reduce((sum, p) => sum + p.rssBytes, 0) / 1024 / 1024;
    if (totalRssMb <= peakMemory.totalRssMb) return;
    const byPart: Record<string, number> = {};
    for (const p of processes) byPart[partOf(p.command)] = (byPart[partOf(p.command)] ?? 0) + p.rssBytes / 1024 / 1024;
    peakMemory = { totalRssMb, processes: processes.length, byPart };
  };

  const ordersStarted = Date.now();
  const placing = placeOrders(stack.api.url, plan.orders, {
    concurrency: options.concurrency,
    onPlaced: (done) => (placedCount = done),
    onAccepted: (order) => accepted.push(order),
  }).finally(() => (allPlaced = true));
  const waiting = waitUntilTerminal(stack.services.dynamodbEndpoint, () => accepted.map((o) => o.order_id), {
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
      progress.update({ total, placed: placedCount, terminal, counts });
    },
  });
  const [placed, waited] = await Promise.all([placing, waiting]);
  progress.finish({ total, placed: placedCount, terminal: waited.terminal, counts });
  const ordersDurationMs = (waited.lastTerminalAt ?? Date.now()) - ordersStarted;

  const problems: string[] = [];
  if (waited.timedOut) {
    problems.push(`timed out after ${seconds(timeoutMs)}: ${waited.pending.length} orders not terminal`);
  }
  // The API's own view of every order must agree that it is terminal.
  const views = await getOrders(
    stack.api.url,
    accepted.map((o) => o.order_id),
  );
  const notTerminal = views.filter((v) => !v.terminal);
  if (notTerminal.length && !waited.timedOut) {
    problems.push(`GET /orders/{id} reports ${notTerminal.length} orders not terminal`);
  }

  sampleMemory();
  say('Collecting the summary (tables, topics, archive)...');
  const snapshot = await takeSnapshot(stack.services, { since: context.since });
  const planned = new Map<string, PlannedOutcome>(
    accepted.flatMap((o) => (o.planned ? [[o.order_id, o.planned] as const] : [])),
  );
  return summarize({
    snapshot,
    sent: total,
    refused: placed.refused.length,
    acceptedOrderIds: accepted.map((o) => o.order_id),
    planned,
    mappings: stack.runner.stats().mappings,
    timing: {
      startupMs: context.startupMs,
      firstOrderProcessedMs,
      ordersDurationMs,
      ordersPerSecond: waited.timedOut ? undefined : (accepted.length / ordersDurationMs) * 1000,
    },
    memory: peakMemory,
    problems: [...problems, ...placed.refused.slice(0, 5).map((r) => `refused (${r.status}): ${r.body.slice(0, 200)}`)],
  });
}

/** Which part of the stack a process is, from its command line. */
function partOf(command: string): string {
  if (command.includes('kafka.Kafka')) return 'kafka';
  if (command.includes('DynamoDBLocal')) return 'dynamodb-local';
  if (command.includes('s3rver')) return 's3rver';
  if (command.includes('runner/host/runtime')) return 'functions';
  return 'command';
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`npm run local failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
