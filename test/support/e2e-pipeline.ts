import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { createWriteStream, mkdirSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import type { TableId } from '../../lambdas/shared/contracts/tables';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { committedOffsets, endOffsets } from '../../local/lab/demo/kafka-inspect';
import { loadCatalogLocally, restockLocally } from '../../local/lab/demo/local-cloud';
import { APP_BINDINGS, localTableName } from '../../local/lab/app-bindings';
import { loadAssembly, startRunner, type Assembly, type Runner } from '../../local/runtime/runner';
import { localDynamoDbClient, PROJECT_ROOT } from '../../local/runtime/services';
import { startApiGateway, type ApiGateway } from '../../local/runtime/services/api-gateway';
import { startProcess, waitUntilReady, type ManagedProcess } from '../../local/runtime/services/process';
import { E2E_ENDPOINTS_ENV, type E2eEnvironment } from './e2e-env';

/** Helpers of the end-to-end pipeline tests: runners, polling until a condition holds, reading items. */

/** Polls until `check` returns a value other than undefined/false; fails with `description` after the timeout. */
export async function eventually<T>(
  description: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting until ${description}${lastError ? ` (${String(lastError)})` : ''}`,
  );
}

/**
 * Waits until the pipeline has nothing left to do: every mapping's consumer group has committed
 * the end of every partition of its topic, and no topic grew over the last polls (a function may
 * still be publishing what its last batch produced). Given the runner, its stream mappings must
 * also have read their stream (a restarted runner reads it again from the start and republishes)
 * and none of its mappings may have moved over those polls.
 */
export async function waitUntilQuiet(
  env: E2eEnvironment,
  { timeoutMs = 120_000, runner }: { timeoutMs?: number; runner?: Runner } = {},
): Promise<void> {
  const topics = Object.values(TOPICS).map((t) => t.name);
  const groups = [...new Set(SUBSCRIPTIONS.map((s) => s.consumerGroupId))];
  let previous = '';
  let stableFor = 0;
  await eventually(
    'every mapping has committed the end of its topic',
    async () => {
      const [ends, committed] = await Promise.all([
        endOffsets(env.kafkaBootstrap, topics),
        committedOffsets(env.kafkaBootstrap, groups),
      ]);
      const mappings = runner?.stats().mappings ?? [];
      const streamsRead = mappings.filter((m) => m.kind === 'dynamodb').every((m) => m.committedOffsets > 0);
      const caughtUp =
        streamsRead &&
        SUBSCRIPTIONS.every((s) =>
          (ends.get(s.topic) ?? []).every(
            (end, partition) => end === 0 || committed.get(s.consumerGroupId)?.get(`${s.topic}-${partition}`) === end,
          ),
        );
      const fingerprint = JSON.stringify([[...ends], mappings.map((m) => [m.committedOffsets, m.invocations])]);
      stableFor = caughtUp && fingerprint === previous ? stableFor + 1 : 0;
      previous = fingerprint;
      // Three polls in a row with nothing new: the outbox relay and the last publishes are done too.
      return stableFor >= 3;
    },
    { timeoutMs, intervalMs: 400 },
  );
}

/** A runner in this process, its function logs appended to the run's e2e-functions.log. */
export async function startTestRunner(
  env: E2eEnvironment,
  assembly: Assembly,
  options: { pollers?: boolean } = {},
): Promise<Runner> {
  const log = functionLog(env);
  const runner = await startRunner({
    assembly,
    endpoints: env,
    pollers: options.pollers,
    log: (line) => log.write(`${line}\n`),
  });
  return runner;
}

let sharedLog: WriteStream | undefined;
function functionLog(env: E2eEnvironment): WriteStream {
  sharedLog ??= createWriteStream(join(env.workDir, 'e2e-functions.log'), { flags: 'a' });
  return sharedLog;
}

/** The app synthesized once per e2e run, before the first file (e2eGlobalSetup): its cdk.out. */
export async function synthesizedApp(env: E2eEnvironment): Promise<string> {
  return env.cdkOut;
}

export async function loadTestAssembly(cdkOut: string): Promise<Assembly> {
  return loadAssembly(cdkOut, APP_BINDINGS);
}

/**
 * The assembly with only the mappings `keep` selects enabled, as after `update-event-source-mapping
 * --no-enabled` on the others: a runner of it has those consumers down, their groups' offsets kept.
 */
export function withMappingsEnabled(
  assembly: Assembly,
  keep: (mapping: { readonly functionId: string; readonly kind: 'kafka' | 'dynamodb' }) => boolean,
): Assembly {
  return {
    ...assembly,
    kafkaMappings: assembly.kafkaMappings.map((m) => ({ ...m, enabled: m.enabled && keep(m) })),
    streamMappings: assembly.streamMappings.map((m) => ({ ...m, enabled: m.enabled && keep(m) })),
  };
}

/** What every e2e product costs in the catalog; the orders send this unit price. */
export const TEST_PRICE_USD = 10;

/**
 * beforeAll's limit in the files that run the app: the synthesis under load, then waiting for the
 * other files that run it (pipelineLock).
 */
export const APP_SETUP_TIMEOUT_MS = 900_000;

/**
 * The app as the e2e files that place orders run it: a runner of the synthesized assembly and the
 * HTTP API in front of it. A file may swap `runner`: the API invokes whichever is there.
 */
export class TestApp {
  private constructor(
    public runner: Runner,
    readonly api: ApiGateway,
  ) {}

  /** Starts both, and seeds `products` in the catalog at TEST_PRICE_USD and in stock (restock ids from `seedTag`). */
  static async start(
    env: E2eEnvironment,
    assembly: Assembly,
    products: readonly { readonly product_id: string; readonly quantity: number }[],
    seedTag: string,
  ): Promise<TestApp> {
    const runner = await startTestRunner(env, assembly);
    let app: TestApp | undefined;
    try {
      const api = await startApiGateway({
        routes: assembly.httpRoutes,
        invoke: (functionId, event) => app!.runner.invoke(functionId, event),
      });
      app = new TestApp(runner, api);
      await loadCatalogLocally(
        env.dynamodbEndpoint,
        products.map(({ product_id }) => ({ product_id, active: true, prices: { USD: TEST_PRICE_USD } })),
      );
      await restockLocally(runner, products, seedTag);
      return app;
    } catch (error) {
      await (app ? app.stop() : runner.stop());
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.runner.stop();
  }
}

const RUNNER_PROCESS = join(PROJECT_ROOT, 'test', 'support', 'e2e-runner-process.ts');
export const RUNNER_READY = 'E2E RUNNER READY';

/**
 * A runner in a process of its own (with its function processes in the same process group), so a
 * test can kill it the hard way, as a crash would: SIGKILL to the whole group, nothing flushed,
 * nothing committed.
 */
export async function startRunnerProcess(env: E2eEnvironment, cdkOut: string, name: string): Promise<ManagedProcess> {
  const child = startProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', RUNNER_PROCESS, cdkOut],
    cwd: PROJECT_ROOT,
    env: { ...process.env, [E2E_ENDPOINTS_ENV]: JSON.stringify(env) },
    logFile: join(env.workDir, `${name}.log`),
  });
  await waitUntilReady(child, 'ready', async () => readFileSync(child.logFile, 'utf8').includes(RUNNER_READY), {
    timeoutMs: 90_000,
  });
  return child;
}

export async function getItem(env: E2eEnvironment, table: TableId, key: Record<string, string>) {
  const client = localDynamoDbClient(env.dynamodbEndpoint);
  try {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: localTableName(table), Key: marshall(key), ConsistentRead: true }),
    );
    return Item ? unmarshall(Item) : undefined;
  } finally {
    client.destroy();
  }
}

export async function putItem(env: E2eEnvironment, table: TableId, item: Record<string, unknown>): Promise<void> {
  const client = localDynamoDbClient(env.dynamodbEndpoint);
  try {
    await client.send(
      new PutItemCommand({ TableName: localTableName(table), Item: marshall(item, { removeUndefinedValues: true }) }),
    );
  } finally {
    client.destroy();
  }
}

export interface PostedOrder {
  readonly status: number;
  readonly body: { order_id?: string; status?: string; [key: string]: unknown };
}

export async function postOrder(apiUrl: string, order: unknown, idempotencyKey?: string): Promise<PostedOrder> {
  const response = await fetch(`${apiUrl}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(order),
  });
  return { status: response.status, body: (await response.json()) as PostedOrder['body'] };
}

export async function getOrderView(apiUrl: string, orderId: string) {
  const response = await fetch(`${apiUrl}/orders/${orderId}`);
  return { status: response.status, body: (await response.json()) as { status: string; terminal: boolean } };
}

/** Waits until the order API shows the order terminal; resolves with its status. */
export function orderTerminalStatus(apiUrl: string, orderId: string, { timeoutMs = 120_000 } = {}): Promise<string> {
  return eventually(
    `order ${orderId} is terminal`,
    async () => {
      const view = await getOrderView(apiUrl, orderId);
      return view.body.terminal ? view.body.status : undefined;
    },
    { timeoutMs },
  );
}

/**
 * Test files that run the whole synthesized app share the broker's real topics and consumer
 * groups, as two deployments on one cluster would: two runners at once would split the partitions
 * between them. jest may run test files in parallel workers, so such files take this lock (a
 * directory, created atomically) for as long as their runner runs. Files with their own topics and
 * groups need none.
 */
export interface PipelineLock {
  acquire(): Promise<void>;
  /** In afterAll: frees the lock, or stops a wait that a timed-out beforeAll left running. */
  release(): void;
}

/**
 * jest does not stop a hook that timed out: without `release` stopping the wait, a beforeAll that
 * timed out while waiting would still take the lock later, after its file's afterAll had run, and
 * hold it until the worker ends, blocking the other files.
 */
export function pipelineLock(env: E2eEnvironment, { timeoutMs = 600_000 } = {}): PipelineLock {
  const dir = join(env.workDir, 'e2e-pipeline.lock');
  let state: 'free' | 'held' | 'released' = 'free';
  return {
    async acquire() {
      await eventually(
        'no other test file runs the pipeline',
        async () => {
          if (state === 'released') return true;
          try {
            mkdirSync(dir);
            state = 'held';
            return true;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
            throw error;
          }
        },
        { timeoutMs, intervalMs: 500 },
      );
      if (state === 'released') throw new Error('the pipeline lock was released before it was acquired');
    },
    release() {
      if (state === 'held') rmSync(dir, { recursive: true, force: true });
      state = 'released';
    },
  };
}

/** A record a test writes to a topic as a foreign producer would (not through a function). */
export interface TestRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly partition?: number;
  readonly headers?: Record<string, string>;
}

/**
 * Writes the records with one idempotent acks=all producer: a send retried on a busy broker must
 * not write a record twice at the offsets a test names.
 */
export async function produceRecords(env: E2eEnvironment, clientId: string, messages: TestRecord[]) {
  const producer = new Producer({
    clientId,
    bootstrapBrokers: [env.kafkaBootstrap],
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  try {
    return await producer.send({ messages });
  } finally {
    await producer.close();
  }
}
