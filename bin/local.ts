/**
 * `npm run local`: the whole order pipeline on this machine, on real components.
 *
 * Synthesizes the CDK app, starts an Apache Kafka broker (KRaft), DynamoDB Local and an S3
 * stand-in on 127.0.0.1, runs every function's bundle under the local event source mapping runner,
 * serves the order API over HTTP, seeds stock, places demo orders, waits for each to reach a
 * terminal state and prints a summary with the invariants I1 to I6 (local/lab/demo/).
 *
 *   npm run local                      demo orders, then keep serving the API until Ctrl+C
 *   npm run local -- --orders 200      run 200 orders and exit (non-zero if an invariant fails)
 *   npm run local -- --orders 200 --clicks 5000   the same with a click stream for analytics
 *   npm run local -- --orders 300 --chaos         the same under injected faults, then re-driven (local/lab/demo/chaos/)
 *
 * Ctrl+C, or the end of a run, stops every process this command started.
 */
import { writeFileSync } from 'node:fs';
import { hostPort, parseOptionsOnly, runCommand, say, UsageError, wholeNumber } from '../local/lab/cli';
import { announceEndpoints, runDemo, startDemoCloud } from '../local/lab/demo/demo-run';
import { chaosPlan, chaosCloudOptions, runChaos } from '../local/lab/demo/chaos';
import { generateClicks } from '../local/lab/demo/click-generator';
import { generateDemoPlan, readOrdersFile } from '../local/lab/demo/order-generator';
import { formatSummary } from '../local/lab/demo/summary';
import { NO_ENFORCE_WARNING, startLocalLambdaApi } from '../local/runtime/runner';

const DEFAULT_DEMO_ORDERS = 20;
const DEFAULT_DEMO_CLICKS = 200;
const DEFAULT_SERVE_PORT = 3000;

const USAGE = `Usage: npm run local -- [options]

  --orders N           place N demo orders, wait until all are terminal, print the summary and exit
                       (exit code 1 if an invariant fails or the run times out)
  --clicks N           post N generated clicks to POST /clicks while the orders flow (popular products
                       viewed more, customers browsing what they then buy); the summary checks what
                       analytics counted against the clicks topic
  --orders-file FILE   place the orders of an NDJSON file (one POST /orders body per line) instead
  --kafka HOST:PORT    use this Kafka broker instead of starting one
  --brokers B          brokers of the local Kafka cluster: 1 (default) or 3 (replication factor 3,
                       min.insync.replicas 2, as on MSK)
  --kill-broker-after N  with --brokers 3: SIGKILL the broker leading the most partitions once N orders
                       are placed, restart it after --broker-down SECONDS (default 15); the summary
                       reports the failover and checks every acknowledged record is still readable
  --broker-down SECONDS  how long the killed broker stays down
  --kill-brokers K     brokers killed at once: 1 (default) or 2, keeping the busiest leader; one in-sync
                       replica is left, so acks=all sends are refused with NOT_ENOUGH_REPLICAS until one
                       is back; the summary reports a probe send's refusals, its retry and its copies
  --chaos              with --orders: inject faults on the real components while the orders flow (DynamoDB
                       Local down longer than the retry budget, a broker restart, hostile records on every
                       consumed topic, duplicate OrderCreated, a provider that forgets idempotency keys,
                       a refund refused for good, overlapping archive batches, SES and notifications-table
                       throttling bursts), then re-drive what was given up and sweep the outbox; the
                       summary adds the faults (throttled calls per fault), the re-drive, the records of
                       each topic (in = processed + dead-lettered) and the emails (I8)
  --seed S             seed of the demo order and click generators (default "demo")
  --concurrency C      orders in flight at once (default 8)
  --port P             port of the order API (default 3000 when serving, a free one with --orders; 0 = any)
  --timeout SECONDS    give up waiting for terminal states after this long (default 120 + N/2)
  --summary-json FILE  also write the summary as JSON
  --no-enforce         debugging only: do NOT check the functions' AWS calls against their IAM roles,
                       resource policies and routes (on by default, as in AWS)
  --help               this text

Without --orders (or --orders-file) the command places ${DEFAULT_DEMO_ORDERS} demo orders and ${DEFAULT_DEMO_CLICKS} clicks (unless
--clicks says otherwise), prints the summary and keeps serving the API and the dashboard until Ctrl+C.`;

interface Options {
  readonly orders?: number;
  readonly ordersFile?: string;
  readonly clicks: number;
  /** --orders or --orders-file: run them and exit instead of serving. */
  readonly batch: boolean;
  readonly kafka?: string;
  readonly brokers: number;
  readonly killBrokerAfter?: number;
  readonly brokerDownMs?: number;
  readonly brokersKilled: 1 | 2;
  readonly seed: string;
  readonly concurrency: number;
  readonly port: number;
  readonly timeoutMs?: number;
  readonly summaryJson?: string;
  readonly chaos: boolean;
  readonly enforce: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const values = parseOptionsOnly(argv, {
    orders: { type: 'string' },
    'orders-file': { type: 'string' },
    clicks: { type: 'string' },
    kafka: { type: 'string' },
    brokers: { type: 'string', default: '1' },
    'kill-broker-after': { type: 'string' },
    'broker-down': { type: 'string' },
    'kill-brokers': { type: 'string', default: '1' },
    seed: { type: 'string', default: 'demo' },
    concurrency: { type: 'string', default: '8' },
    port: { type: 'string' },
    timeout: { type: 'string' },
    'summary-json': { type: 'string' },
    chaos: { type: 'boolean', default: false },
    'no-enforce': { type: 'boolean', default: false },
  });
  if (values.orders !== undefined && values['orders-file'] !== undefined) {
    throw new UsageError('--orders and --orders-file are exclusive');
  }
  const orders = wholeNumber('orders', values.orders);
  const batch = orders !== undefined || values['orders-file'] !== undefined;
  const timeout = wholeNumber('timeout', values.timeout);
  const brokers = wholeNumber('brokers', values.brokers)!;
  if (brokers !== 1 && brokers !== 3) throw new UsageError(`--brokers must be 1 or 3, got ${brokers}`);
  if (brokers !== 1 && values.kafka !== undefined) throw new UsageError('--brokers and --kafka are exclusive');
  const killBrokerAfter = wholeNumber('kill-broker-after', values['kill-broker-after']);
  const brokerDown = wholeNumber('broker-down', values['broker-down']);
  if (killBrokerAfter !== undefined && brokers !== 3) throw new UsageError('--kill-broker-after needs --brokers 3');
  const brokersKilled = wholeNumber('kill-brokers', values['kill-brokers'])!;
  if (brokersKilled !== 1 && brokersKilled !== 2)
    throw new UsageError(`--kill-brokers must be 1 or 2, got ${brokersKilled}`);
  if (brokersKilled !== 1 && killBrokerAfter === undefined)
    throw new UsageError('--kill-brokers needs --kill-broker-after');
  const chaos = values.chaos ?? false;
  if (chaos && (orders === undefined || values.kafka !== undefined || brokers !== 1 || killBrokerAfter !== undefined))
    throw new UsageError(
      '--chaos needs --orders and its own one-broker local cloud (no --kafka, --brokers 3 or --kill-broker-after)',
    );
  return {
    orders,
    ordersFile: values['orders-file'],
    clicks: wholeNumber('clicks', values.clicks, 0) ?? (batch ? 0 : DEFAULT_DEMO_CLICKS),
    batch,
    kafka: hostPort('kafka', values.kafka),
    brokers,
    killBrokerAfter,
    brokerDownMs: brokerDown === undefined ? undefined : brokerDown * 1000,
    brokersKilled,
    seed: values.seed,
    concurrency: wholeNumber('concurrency', values.concurrency)!,
    port: wholeNumber('port', values.port, 0) ?? (batch ? 0 : DEFAULT_SERVE_PORT),
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    summaryJson: values['summary-json'],
    chaos,
    enforce: !values['no-enforce'],
  };
}

runCommand<Options>({
  name: 'npm run local',
  usage: USAGE,
  parse: parseOptions,
  async run(options, parts) {
    const plan = options.ordersFile
      ? readOrdersFile(options.ordersFile)
      : generateDemoPlan(options.orders ?? DEFAULT_DEMO_ORDERS, options.seed);
    const chaos = options.chaos ? chaosPlan(plan) : undefined;
    if (!options.enforce) say(NO_ENFORCE_WARNING);
    const demo = await startDemoCloud({
      kafka: options.kafka,
      brokers: options.brokers,
      apiPort: options.port,
      log: say,
      onStarted: (part) => parts.add(part),
      enforce: options.enforce,
      ...(chaos ? chaosCloudOptions(chaos) : {}),
    });
    const summary = chaos
      ? await runChaos(demo, chaos, { concurrency: options.concurrency, timeoutMs: options.timeoutMs, log: say })
      : await runDemo(demo, plan, {
          concurrency: options.concurrency,
          timeoutMs: options.timeoutMs,
          existingBroker: options.kafka !== undefined,
          killBrokerAfter: options.killBrokerAfter,
          brokerDownMs: options.brokerDownMs,
          brokersKilled: options.brokersKilled,
          clicks: generateClicks(options.clicks, options.seed, plan.orders),
          log: say,
        });
    process.stdout.write(formatSummary(summary));
    if (options.summaryJson) {
      writeFileSync(options.summaryJson, JSON.stringify(summary, null, 2));
      say(`Summary written to ${options.summaryJson}`);
    }
    if (options.batch) return summary.ok ? 0 : 1;

    const lambdaApi = await startLocalLambdaApi({ mappings: () => demo.cloud.runner.eventSourceMappings() });
    parts.add(lambdaApi);
    for (const line of announceEndpoints(demo, (part) => parts.add(part), { lambdaApi: lambdaApi.url })) say(line);
    return new Promise<never>(() => undefined);
  },
});
