/**
 * npm run bench [-- --json FILE] [-- --runs N]: the numbers the tests deliberately do not assert,
 * measured side by side in one run.
 *   bundles:   each function's bundle, built exactly as the CDK app builds it (lib/function-bundle.ts),
 *              against its budget, and an anchor-style handler (middy + Powertools logger +
 *              DynamoDB DocumentClient) built the same way.
 *   coldStart: module init (require of the bundle, the AWS SDK from node_modules as the runtime
 *              provides it) in fresh processes of the Node.js 22 binary in node_modules/.bin,
 *              p50 per function and its ratio to the anchor's, in wall and CPU time.
 *   memory:    resident memory of each of those processes once the bundle is loaded, p50.
 *   consumers: billing, inventory, shipping and the status projector, each given a 1,000-record batch
 *              of its input topic through the stack of `npm run local` (its mappings off), as one
 *              invocation and as a one-record-at-a-time baseline built in the same run, records/s
 *              and their ratio (local/lab/bench/consumers.ts).
 *   clicks:    the analytics store counting 2,000 clicks (--clicks N) on DynamoDB Local at 48 in flight,
 *              clicks/s and the TransactionConflict rate, unsharded (1 shard) and sharded
 *              (ANALYTICS_COUNTER_SHARDS) side by side (local/lab/bench/clicks.ts).
 *   pipeline:  orders/s for 1,000 orders through the stack of `npm run local`, the local limit measured
 *              in the same run, and order->terminal p50/p95/p99 at 1 order/s and at half that limit,
 *              with each order-path mapping's time in the source, window and invocation (local/lab/bench/pipeline.ts).
 * `--sections consumers,pipeline` (any comma-separated list of the sections) runs only those; bundles,
 * coldStart and memory come from the same processes and run together.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { ENV } from '../lambdas/shared/contracts/environment';
import { FUNCTION_IDS, functionEntry } from '../lambdas/shared/contracts/functions';
import { benchClicks, formatClicks, type ClicksBenchResult } from '../local/lab/bench/clicks';
import { benchConsumers, formatConsumers, type ConsumersBenchResult } from '../local/lab/bench/consumers';
import { benchPipeline, formatPipeline, type PipelineBenchResult } from '../local/lab/bench/pipeline';
import {
  bundleBudgetKb as budgetKb,
  functionBuildOptions,
  PRODUCER_MODULE,
  PROJECT_ROOT,
} from '../lib/function-bundle';

const KB = 1024;
const NODE_22 = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'node');

/** The handler shape most Lambda functions start from: what a function's cold start is judged against. */
const ANCHOR_SOURCE = `
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
const logger = new Logger();
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = middy(async (event: { id: string }) => {
  logger.info('get', { id: event.id });
  return documents.send(new GetCommand({ TableName: process.env.TABLE, Key: { id: event.id } }));
});
`;

interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly sizeKb: number;
  readonly budgetKb: number | null;
  readonly hasProducer: boolean;
}

async function buildBundles(outdir: string): Promise<Bundle[]> {
  const entries: [string, Parameters<typeof build>[0]][] = [
    ...FUNCTION_IDS.map((id) => [id, functionBuildOptions(functionEntry(id))] as [string, Parameters<typeof build>[0]]),
    [
      'anchor',
      // The functions' options, with the anchor's source in place of an entry file.
      {
        ...functionBuildOptions(functionEntry('orderApi')),
        entryPoints: undefined,
        stdin: { contents: ANCHOR_SOURCE, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'anchor.ts' },
      },
    ],
  ];
  const bundles: Bundle[] = [];
  for (const [name, options] of entries) {
    const file = path.join(outdir, name, 'index.js');
    const result = await build({ ...options, outfile: file, metafile: true, logLevel: 'silent' });
    const hasProducer = Object.keys(result.metafile.inputs).some((input) => input.includes(PRODUCER_MODULE));
    bundles.push({
      name,
      file,
      sizeKb: Math.round(statSync(file).size / KB),
      budgetKb: name === 'anchor' ? null : budgetKb(hasProducer),
      hasProducer,
    });
  }
  return bundles;
}

/** What every bundle reads at load, with values its parsers accept; the rest is discovered. */
const BASE_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  KAFKA_AUTH: 'plaintext',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  // As deployed: the notifications function sends through SES.
  [ENV.emailTransport]: 'ses',
  [ENV.outboxSweepAfterSeconds]: '600',
};

/**
 * Requires the bundle in a fresh process and prints the milliseconds the require took (wall and
 * CPU: the CPU time barely moves with the load of a shared machine) and the process's resident
 * memory after it; on failure only the error's message (Node would print the minified source line).
 */
const INIT_PROBE = `
const { performance } = require('node:perf_hooks');
const started = performance.now();
const cpu = process.cpuUsage();
try { require(process.argv[1]); } catch (error) { process.stderr.write(String(error.message)); process.exit(1); }
const { user, system } = process.cpuUsage(cpu);
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, cpuMs: (user + system) / 1000, rssMb: process.memoryUsage().rss / 1048576 }));`;

interface InitSample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssMb: number;
}

function initOnce(file: string, env: Record<string, string>) {
  return spawnSync(NODE_22, ['-e', INIT_PROBE, file], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** The bundle's required variables, found by loading it until it stops naming a missing one. */
function environmentFor(file: string): Record<string, string> {
  const env = { ...BASE_ENV };
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const result = initOnce(file, env);
    if (result.status === 0) return env;
    const missing = /Missing required environment variable (\w+)/.exec(result.stderr)?.[1];
    if (!missing) throw new Error(`${file} does not load: ${result.stderr}`);
    env[missing] = 'placeholder';
  }
  throw new Error(`${file}: too many required variables`);
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

function coldStart(bundles: readonly Bundle[], runs: number) {
  const envs = new Map(bundles.map((b) => [b.name, environmentFor(b.file)]));
  const samples = new Map<string, InitSample[]>(bundles.map((b) => [b.name, []]));
  // Interleaved, so that a burst of load on the machine hits every function alike.
  for (let run = 0; run < runs; run += 1) {
    for (const bundle of bundles) {
      const result = initOnce(bundle.file, envs.get(bundle.name)!);
      if (result.status !== 0) throw new Error(`${bundle.name} failed to load: ${result.stderr}`);
      samples.get(bundle.name)!.push(JSON.parse(result.stdout) as InitSample);
    }
  }
  const p = (name: string, field: keyof InitSample, pct: number) =>
    percentile(
      samples.get(name)!.map((s) => s[field]),
      pct,
    );
  return bundles.map((b) => ({
    name: b.name,
    runs,
    p50Ms: Number(p(b.name, 'ms', 50).toFixed(1)),
    p90Ms: Number(p(b.name, 'ms', 90).toFixed(1)),
    ratioToAnchor: Number((p(b.name, 'ms', 50) / p('anchor', 'ms', 50)).toFixed(2)),
    cpuP50Ms: Number(p(b.name, 'cpuMs', 50).toFixed(1)),
    cpuRatioToAnchor: Number((p(b.name, 'cpuMs', 50) / p('anchor', 'cpuMs', 50)).toFixed(2)),
    rssP50Mb: Number(p(b.name, 'rssMb', 50).toFixed(1)),
  }));
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const SECTIONS = ['bundles', 'coldStart', 'memory', 'consumers', 'clicks', 'pipeline'] as const;

function sectionsArgument(): Set<string> {
  const sections = new Set((argument('--sections') ?? SECTIONS.join(',')).split(','));
  const unknown = [...sections].filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`--sections takes ${SECTIONS.join(', ')}; not ${unknown.join(', ')}`);
  return sections;
}

/** Runs one measured section, its progress indented beneath, then prints its table. */
async function section<R>(
  bench: (log: (line: string) => void) => Promise<R>,
  format: (result: R) => string[],
): Promise<R> {
  const result = await bench((line) => console.log(`  ${line}`));
  console.log(`\n${format(result).join('\n')}`);
  return result;
}

const pipelineSection = (): Promise<PipelineBenchResult> =>
  section((log) => benchPipeline({ orders: Number(argument('--orders') ?? 1_000), log }), formatPipeline);

const clicksSection = (): Promise<ClicksBenchResult> =>
  section((log) => benchClicks({ clicks: Number(argument('--clicks') ?? 2_000), log }), formatClicks);

const consumersSection = (): Promise<ConsumersBenchResult> =>
  section((log) => benchConsumers({ log }), formatConsumers);

/** bundles, coldStart and memory: built and measured together, reported as three sections. */
async function bundleSections(runs: number) {
  if (!existsSync(NODE_22)) throw new Error(`No Node.js 22 binary at ${NODE_22}: run npm install`);
  const outdir = mkdtempSync(path.join(tmpdir(), 'bench-bundles-'));
  try {
    const bundles = await buildBundles(outdir);
    console.log('Bundles (minified, node22, @aws-sdk/* from the runtime)');
    console.log('function        size KB  budget KB  producer');
    for (const b of bundles) {
      const over = b.budgetKb !== null && b.sizeKb > b.budgetKb ? '  OVER' : '';
      console.log(
        `${b.name.padEnd(15)} ${String(b.sizeKb).padStart(7)}  ${String(b.budgetKb ?? '-').padStart(9)}  ${b.hasProducer ? 'yes' : 'no'}${over}`,
      );
    }

    const cold = coldStart(bundles, runs);
    console.log(`\nCold start: module init on ${nodeVersion()}, ${runs} fresh processes each`);
    console.log('function        p50 ms  p90 ms  p50 / anchor  CPU p50 ms  CPU / anchor  RSS MB');
    for (const c of cold) {
      console.log(
        `${c.name.padEnd(15)} ${c.p50Ms.toFixed(1).padStart(6)}  ${c.p90Ms.toFixed(1).padStart(6)}  ${c.ratioToAnchor.toFixed(2).padStart(12)}` +
          `  ${c.cpuP50Ms.toFixed(1).padStart(10)}  ${c.cpuRatioToAnchor.toFixed(2).padStart(12)}  ${c.rssP50Mb.toFixed(0).padStart(6)}`,
      );
    }

    const anchor = bundles.find((b) => b.name === 'anchor')!;
    return {
      bundles: {
        functions: bundles
          .filter((b) => b.name !== 'anchor')
          .map(({ name, sizeKb, budgetKb: budget, hasProducer }) => ({
            name,
            sizeKb,
            budgetKb: budget,
            hasProducer,
          })),
        anchor: { sizeKb: anchor.sizeKb },
      },
      coldStart: {
        runs,
        functions: cold.filter((c) => c.name !== 'anchor').map(({ rssP50Mb: _rss, ...timing }) => timing),
        anchor: (({ rssP50Mb: _rss, ...timing }) => timing)(cold.find((c) => c.name === 'anchor')!),
      },
      memory: {
        afterInitRssP50Mb: Object.fromEntries(cold.map((c) => [c.name, c.rssP50Mb])),
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const nodeVersion = () => spawnSync(NODE_22, ['--version'], { encoding: 'utf8' }).stdout.trim();

async function main(): Promise<void> {
  const jsonFile = argument('--json');
  const sections = sectionsArgument();
  const measured = ['bundles', 'coldStart', 'memory'].some((s) => sections.has(s))
    ? await bundleSections(Number(argument('--runs') ?? 20))
    : {};
  const consumers = sections.has('consumers') ? await consumersSection() : undefined;
  const clicks = sections.has('clicks') ? await clicksSection() : undefined;
  const pipeline = sections.has('pipeline') ? await pipelineSection() : undefined;
  if (jsonFile) {
    const report = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, node: existsSync(NODE_22) ? nodeVersion() : process.version },
      ...measured,
      ...(consumers ? { consumers } : {}),
      ...(clicks ? { clicks } : {}),
      ...(pipeline ? { pipeline } : {}),
    };
    writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWrote ${jsonFile}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
