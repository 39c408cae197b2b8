import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_REGION, type LocalEndpoints } from '../endpoints';
import { createTables, startDynamoDbLocal, type DynamoDbLocal, type LocalTable } from './dynamodb/dynamodb-local';
import { createTopics, startKafkaCluster, type KafkaCluster, type TopicSet } from './kafka/kafka-broker';
import { LOCAL_DIR } from '../paths';
import type { ManagedProcess } from './process';
import { startS3Store, type S3Store } from './s3/s3-store';
import { startSesStandIn, type SesStandIn } from './ses/ses-stand-in';

export { ensureKafkaJars, kafkaVersion } from './kafka/kafka-jars';
export {
  bootstrapList,
  createTopics,
  REPLICATED_BROKERS,
  startKafkaCluster,
  topicReplication,
  type KafkaCluster,
  type KafkaNode,
  type TopicReplication,
  type TopicSet,
} from './kafka/kafka-broker';
export {
  createTables,
  localDynamoDbClient,
  startDynamoDbLocal,
  type DynamoDbLocal,
  type LocalTable,
} from './dynamodb/dynamodb-local';
export { localS3Client, startS3Store, type S3Store } from './s3/s3-store';
export { sesEmails, startSesStandIn, type SesEmail, type SesStandIn } from './ses/ses-stand-in';
export { LOCAL_DIR, PROJECT_ROOT } from '../paths';

export type { LocalEndpoints } from '../endpoints';

export interface LocalServices extends LocalEndpoints {
  /** The Kafka cluster started here (none when an existing broker was given): its nodes can be killed and restarted. */
  readonly kafka?: KafkaCluster;
  /** DynamoDB Local: halted and restarted by the chaos run (persistent with `persistentDynamoDb`). */
  readonly dynamodb: DynamoDbLocal;
  /** Kafka brokers in the cluster (1 for an existing broker). */
  readonly brokers: number;
  /** The processes started (none for Kafka when an existing broker was given). */
  readonly processes: readonly ManagedProcess[];
  /** Where this run's logs are. */
  readonly workDir: string;
  /** The SES v2 API stand-in the notification function sends through (sesEmails reads what it got). */
  readonly sesEndpoint: string;
  /** Start time of each component, milliseconds (kafka only if it was started here). */
  readonly startMs: {
    readonly kafka?: number;
    readonly dynamodb: number;
    readonly s3: number;
    readonly ses: number;
    readonly total: number;
  };
  /** Stops every process started here, in parallel; safe to call more than once. */
  stop(): Promise<void>;
}

/** What the app needs created in the services: its topics, its tables and its bucket. */
export interface LocalResources {
  readonly topics: TopicSet;
  readonly tables: readonly LocalTable[];
  readonly bucket: string;
}

export interface StartLocalServicesOptions {
  readonly resources: LocalResources;
  /** `host:port` of an existing broker: no broker is started, and missing topics are created on it. */
  readonly kafka?: string;
  /** Directory for logs and data; a fresh one under .local/runs/ by default. */
  readonly workDir?: string;
  /** Brokers of the local Kafka cluster: 1 (default) or 3, with the MSK replication settings. */
  readonly brokers?: number;
  /** DynamoDB Local keeps its tables in a file of the work directory, so that a restart loses nothing. */
  readonly persistentDynamoDb?: boolean;
  readonly log?: (line: string) => void;
}

/**
 * Starts the real components of the local runtime on 127.0.0.1: an Apache Kafka broker (KRaft),
 * DynamoDB Local, the S3 stand-in and the SES v2 stand-in, all at once, then creates the app's topics and
 * tables (options.resources). If any of them fails to start, the others are stopped before the error is thrown.
 */
export async function startLocalServices(options: StartLocalServicesOptions): Promise<LocalServices> {
  const { resources } = options;
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const workDir = options.workDir ?? newRunDir();
  mkdirSync(workDir, { recursive: true });

  const results = await Promise.allSettled([
    options.kafka
      ? Promise.resolve(undefined)
      : startKafkaCluster({ workDir, brokers: options.brokers, replication: resources.topics.replication, log }),
    startDynamoDbLocal({ workDir, persistent: options.persistentDynamoDb }),
    startS3Store({ workDir, bucket: resources.bucket }),
    startSesStandIn({ workDir }),
  ]);
  const [kafka, dynamodb, s3, ses] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [
    KafkaCluster | undefined,
    DynamoDbLocal | undefined,
    S3Store | undefined,
    SesStandIn | undefined,
  ];
  const stopAll = () => Promise.all([kafka?.stop(), dynamodb?.stop(), s3?.stop(), ses?.stop()]).then(() => undefined);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }

  const kafkaBootstrap = options.kafka ?? kafka!.bootstrap;
  const brokers = kafka?.nodes.length ?? 1;
  try {
    const [topics, tables] = await Promise.all([
      createTopics(kafkaBootstrap, resources.topics, brokers),
      createTables(dynamodb!.endpoint, resources.tables),
    ]);
    if (topics.length) log(`Created topics: ${topics.join(', ')}`);
    if (tables.length) log(`Created tables: ${tables.join(', ')}`);
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    kafkaBootstrap,
    kafkaIam: kafka?.iam,
    kafka,
    dynamodb: dynamodb!,
    brokers,
    dynamodbEndpoint: dynamodb!.endpoint,
    s3Endpoint: s3!.endpoint,
    sesEndpoint: ses!.endpoint,
    region: LOCAL_REGION,
    processes: [
      ...(kafka?.nodes.map((node) => node.process) ?? []),
      kafka?.controller,
      dynamodb!.process,
      s3!.process,
      ses!.process,
    ].filter((p): p is ManagedProcess => !!p),
    workDir,
    startMs: {
      kafka: kafka?.startMs,
      dynamodb: dynamodb!.startMs,
      s3: s3!.startMs,
      ses: ses!.startMs,
      total: Date.now() - started,
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

const KEPT_RUNS = 5;

/**
 * A fresh directory under .local/runs/ for one run, named by time and process id. Runs beyond the
 * last few are removed, unless the process that made them is still alive (a test run and
 * `npm run local` may run side by side).
 */
export function newRunDir(): string {
  const runs = join(LOCAL_DIR, 'runs');
  mkdirSync(runs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const old = readdirSync(runs).sort();
  for (const name of old.slice(0, Math.max(0, old.length - (KEPT_RUNS - 1)))) {
    if (!isAlive(Number(name.split('-').pop()))) rmSync(join(runs, name), { recursive: true, force: true });
  }
  const dir = join(runs, `${stamp}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Whether a process with this id runs (one of another user counts too). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
