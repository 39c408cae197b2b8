import { Admin } from '@platformatic/kafka';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { freePort, sleep, startProcess, waitUntilReady, type ManagedProcess } from '../process';
import type { LocalKafkaIam } from '../../endpoints';
import { ensureKafkaJars } from './kafka-jars';
import { classDataSharing } from '../jvm-class-cache';
import { HANDLER_CLASS, prepareIamListener, type IamListenerFiles } from './kafka-iam-listener';

/**
 * Apache Kafka in KRaft mode on 127.0.0.1, from the jars ensureKafkaJars() caches: one combined
 * broker+controller node by default, or, for replication (`--brokers 3`), three broker-only nodes
 * and one controller-only node. As on MSK, where the KRaft controllers are not among the brokers,
 * killing brokers never takes the metadata quorum with them: with two of three brokers down the
 * survivor still leads, and acks=all producers get NOT_ENOUGH_REPLICAS instead of timeouts
 * (docs/design.md, "Three local brokers"). Each node keeps its log in a fresh directory under
 * `workDir`, deleted on stop: every run starts from empty topics; a killed broker restarts on its
 * own data and ports.
 */
export interface KafkaCluster {
  /** `127.0.0.1:<port>` of every node, comma-separated (the KAFKA_BOOTSTRAP_SERVERS form). */
  readonly bootstrap: string;
  readonly nodes: readonly KafkaNode[];
  /** The controller-only JVM of a three-broker cluster (a one-node cluster is its own controller). */
  readonly controller?: ManagedProcess;
  /** Milliseconds from the call to every node answering metadata requests, topics not included. */
  readonly startMs: number;
  /**
   * The MSK IAM listener of every node (SASL_SSL, OAUTHBEARER tokens of the MSK IAM signer, ACLs
   * enforced): where the functions and the event source mappings' pollers connect. The PLAINTEXT
   * `bootstrap` is the runtime's own (topics, tools, tests), a super user that ACLs do not restrict.
   */
  readonly iam: LocalKafkaIam;
  stop(): Promise<void>;
}

export interface KafkaNode {
  /** `node.id` of the broker (1, 2, 3). */
  readonly id: number;
  /** `127.0.0.1:<port>` */
  readonly bootstrap: string;
  /** The node's JVM; a new one after restart(). */
  readonly process: ManagedProcess;
  /** SIGKILL, as a crash: no controlled shutdown, no leadership handed over first. */
  kill(): Promise<void>;
  /** Starts the node again on its data and ports, and waits until it answers. */
  restart(): Promise<void>;
  /**
   * SIGSTOP: the JVM stops answering, but its sockets stay open and the kernel still accepts
   * connections, so clients wait for answers instead of failing fast (a hung leader, not a crash).
   */
  pause(): void;
  /** SIGCONT after pause(): it answers what it was sent meanwhile. */
  resume(): void;
}

/** The brokers of a replicated local cluster (`--brokers 3`); the other size is one node. */
export const REPLICATED_BROKERS = 3;

/** How topics are replicated: replicas per partition, and how many must be in sync for an acks=all write. */
export interface TopicReplication {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
}

/** The app's topics: what createTopics creates, and the replication it wants where there are enough brokers. */
export interface TopicSet {
  readonly topics: readonly { readonly name: string; readonly partitions: number }[];
  readonly retentionMs: number;
  readonly replication: TopicReplication;
}

const UNREPLICATED: TopicReplication = { replicationFactor: 1, minInsyncReplicas: 1 };

/** Replication on a cluster of `brokers` nodes: the wanted one where it fits, none on one node. */
export function topicReplication(brokers: number, wanted: TopicReplication): TopicReplication {
  return brokers >= wanted.replicationFactor ? wanted : UNREPLICATED;
}

export interface StartKafkaClusterOptions {
  /** Directory for the nodes' config, data and logs; created if missing. */
  readonly workDir: string;
  /** 1 (default) or 3. */
  readonly brokers?: number;
  /** Replication of the internal topics and the default for others (with 3 brokers); none with 1. */
  readonly replication?: TopicReplication;
  readonly log?: (line: string) => void;
  readonly readyTimeoutMs?: number;
}

export async function startKafkaCluster(options: StartKafkaClusterOptions): Promise<KafkaCluster> {
  const started = Date.now();
  const count = options.brokers ?? 1;
  if (count !== 1 && count !== REPLICATED_BROKERS) {
    throw new Error(`A local Kafka cluster has 1 or ${REPLICATED_BROKERS} brokers, not ${count}`);
  }
  const libs = await ensureKafkaJars({ log: options.log });
  const iam = prepareIamListener(libs);
  const ports = await distinctFreePorts(2 * count + 1);
  const controllerPort = ports[count]!;
  const single = count === 1;
  const replication = topicReplication(count, options.replication ?? UNREPLICATED);
  // One node is broker and controller; three brokers get their own controller (CONTROLLER_ID).
  const specs: NodeSpec[] = [
    ...Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      roles: single ? ('broker,controller' as const) : ('broker' as const),
      brokerPort: ports[i]!,
      iamPort: ports[count + 1 + i]!,
      dir: single ? options.workDir : join(options.workDir, `kafka-${i + 1}`),
    })),
    ...(single
      ? []
      : [{ id: CONTROLLER_ID, roles: 'controller' as const, dir: join(options.workDir, 'kafka-controller') }]),
  ];
  const voters = `${single ? 1 : CONTROLLER_ID}@127.0.0.1:${controllerPort}`;
  const cluster = clusterId();
  const log4j = join(options.workDir, 'kafka-log4j2.properties');
  // Who may connect to the MSK IAM listener (LocalMskIamCallbackHandler): nobody until the runner says.
  const connectFile = join(options.workDir, 'kafka-iam-connect.txt');
  mkdirSync(options.workDir, { recursive: true });
  writeFileSync(log4j, LOG4J2_CONFIG);
  writeFileSync(connectFile, '');

  // Each program's classes come from an archive after its first run (see jvm-class-cache.ts).
  const classPath = [join(libs, '*'), iam.handlerJar].join(delimiter);
  const java = (mainClass: string, args: string[], heapSize: string, jvmOptions: readonly string[] = []) => [
    `-Xmx${heapSize}`,
    // Serial GC: the smallest footprint for a one-client-machine broker.
    '-XX:+UseSerialGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    ...jvmOptions,
    '-cp',
    classPath,
    mainClass,
    ...args,
  ];
  const startJava = (
    name: string,
    mainClass: string,
    args: string[],
    heapSize: string,
    logFile: string,
    extra: readonly string[] = [],
  ) => {
    const sharing = classDataSharing(`kafka-${mainClass}`, classPath);
    // The JIT's first tier only (C1): a local broker's work is its start and a light load, and the
    // optimizing compiler cost more CPU than it saved (two e2e files on three-broker clusters: the
    // brokers' CPU time went from 49.7 s to 32.6 s, docs/benchmarks.md "The test suite").
    const jit = ['-XX:TieredStopAtLevel=1'];
    const started = startProcess({
      name,
      command: 'java',
      args: java(mainClass, args, heapSize, [...sharing.args, ...jit, ...extra]),
      logFile,
    });
    void started.exited.then((exit) => sharing.settle(exit));
    return { process: started, stopGraceMs: sharing.stopGraceMs };
  };

  const prepared = await Promise.all(
    specs.map(async (spec) => {
      const dataDir = join(spec.dir, 'kafka-data');
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      const serverProperties = join(spec.dir, 'kafka-server.properties');
      writeFileSync(
        serverProperties,
        nodeConfig({ ...spec, controllerPort, dataDir, voters, brokers: count, replication, iam }),
      );
      // KRaft needs its metadata log formatted with the cluster id before the first start.
      const logFile = join(spec.dir, 'kafka.log');
      const format = startJava(
        `kafka-storage-format-${spec.id}`,
        STORAGE_TOOL,
        ['format', `--cluster-id=${cluster}`, `--config=${serverProperties}`],
        '256m',
        logFile,
      );
      const formatted = await format.process.exited;
      if (formatted.code !== 0) {
        throw new Error(`Formatting the Kafka storage failed (code ${formatted.code}); see ${logFile}`);
      }
      const name = single ? 'kafka' : spec.roles === 'controller' ? 'kafka-controller' : `kafka-${spec.id}`;
      // The authorizer's denials (and the MSK IAM handler's refused connections) go to a file of their
      // own, which the runner reads to count and name them.
      const authorizerLog = join(spec.dir, 'kafka-authorizer.log');
      const launch = () =>
        startJava(name, 'kafka.Kafka', [serverProperties], HEAP[spec.roles], logFile, [
          `-Dlocal.authorizer.log=${authorizerLog}`,
          `-Dlocal.kafka.connect=${connectFile}`,
        ]);
      return { ...spec, dataDir, launch, authorizerLog };
    }),
  );

  const timeoutMs = options.readyTimeoutMs ?? 90_000;
  const controllerSpec = prepared.find((spec) => spec.roles === 'controller');
  const controller = controllerSpec?.launch();
  const nodes = prepared
    .filter((spec) => spec.brokerPort !== undefined)
    .map((spec) => {
      const bootstrap = `127.0.0.1:${spec.brokerPort}`;
      const iamBootstrap = `127.0.0.1:${spec.iamPort}`;
      let launched = spec.launch();
      const ready = () =>
        waitUntilReady(launched.process, `answering on ${bootstrap}`, () => brokerAnswers(bootstrap), { timeoutMs });
      return {
        id: spec.id,
        bootstrap,
        iamBootstrap,
        dataDir: spec.dataDir,
        ready,
        get process() {
          return launched.process;
        },
        get stopGraceMs() {
          return launched.stopGraceMs;
        },
        async kill() {
          launched.process.kill('SIGKILL');
          await launched.process.exited;
        },
        async restart() {
          launched = spec.launch();
          await ready();
        },
        pause() {
          launched.process.kill('SIGSTOP');
        },
        resume() {
          launched.process.kill('SIGCONT');
        },
      };
    });
  const stopAll = async () => {
    // Brokers first: a broker stopping with its controller gone waits for it until it gives up.
    await Promise.all(nodes.map((node) => node.process.stop(node.stopGraceMs)));
    await controller?.process.stop(controller.stopGraceMs);
    for (const spec of prepared) rmSync(spec.dataDir, { recursive: true, force: true });
  };
  const readiness = await Promise.allSettled([
    ...nodes.map((node) => node.ready()),
    ...(controller
      ? [
          waitUntilReady(controller.process, `listening on ${controllerPort}`, () => portAccepts(controllerPort), {
            timeoutMs,
          }),
        ]
      : []),
  ]);
  const failed = readiness.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  return {
    bootstrap: nodes.map((node) => node.bootstrap).join(','),
    nodes,
    controller: controller?.process,
    startMs: Date.now() - started,
    iam: {
      bootstrap: nodes.map((node) => node.iamBootstrap).join(','),
      caFile: iam.caFile,
      connectFile,
      authorizerLogs: prepared.filter((spec) => spec.brokerPort !== undefined).map((spec) => spec.authorizerLog),
    },
    stop: stopAll,
  };
}

const STORAGE_TOOL = 'kafka.tools.StorageTool';

/** node.id of the controller-only node of a three-broker cluster. */
const CONTROLLER_ID = 0;

type NodeRoles = 'broker,controller' | 'broker' | 'controller';

interface NodeSpec {
  readonly id: number;
  readonly roles: NodeRoles;
  /** Absent on the controller-only node. */
  readonly brokerPort?: number;
  /** The MSK IAM listener's port; absent on the controller-only node. */
  readonly iamPort?: number;
  readonly dir: string;
}

// Four JVMs share two cores with the rest of the stack: smaller heaps than one node alone, and the
// controller, which only keeps the cluster metadata (a few hundred records here), the smallest.
const HEAP: Record<NodeRoles, string> = { 'broker,controller': '512m', broker: '384m', controller: '128m' };

/**
 * Creates every topic of the set that the cluster does not have yet, with its partition count,
 * retention and replication (topicReplication). Topics that exist are left as they are, so an
 * existing broker (`--kafka host:port`) keeps its data.
 */
export async function createTopics(bootstrap: string, set: TopicSet, brokers = 1): Promise<string[]> {
  const admin = new Admin({
    clientId: 'local-topics',
    bootstrapBrokers: bootstrapList(bootstrap),
    connectTimeout: 5_000,
  });
  const { replicationFactor, minInsyncReplicas } = topicReplication(brokers, set.replication);
  try {
    // A replica can only be placed on a registered broker: wait until every node has joined.
    for (
      let tries = 0;
      (await admin.metadata({ topics: [], forceUpdate: true })).brokers.size < replicationFactor;
      tries++
    ) {
      if (tries >= 60) throw new Error(`Fewer than ${replicationFactor} brokers registered after 30 s`);
      await sleep(500);
    }
    const existing = new Set(await admin.listTopics());
    const missing = set.topics.filter((topic) => !existing.has(topic.name));
    for (const topic of missing) {
      await admin.createTopics({
        topics: [topic.name],
        partitions: topic.partitions,
        replicas: replicationFactor,
        configs: [
          { name: 'retention.ms', value: String(set.retentionMs) },
          { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
        ],
      });
    }
    return missing.map((topic) => topic.name);
  } finally {
    await admin.close();
  }
}

/** The brokers of a comma-separated bootstrap string. */
export function bootstrapList(bootstrap: string): string[] {
  return bootstrap.split(',').map((s) => s.trim());
}

async function brokerAnswers(bootstrap: string): Promise<boolean> {
  const admin = new Admin({
    clientId: 'local-readiness',
    bootstrapBrokers: [bootstrap],
    connectTimeout: 1_000,
    retries: 0,
  });
  try {
    await admin.listTopics();
    return true;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

function nodeConfig(
  p: NodeSpec & {
    controllerPort: number;
    dataDir: string;
    voters: string;
    brokers: number;
    replication: TopicReplication;
    iam: IamListenerFiles;
  },
): string {
  const { replicationFactor, minInsyncReplicas } = p.replication;
  const broker = p.roles !== 'controller';
  const controller = p.roles !== 'broker';
  const listeners = [
    ...(broker ? [`PLAINTEXT://127.0.0.1:${p.brokerPort}`, `IAM://127.0.0.1:${p.iamPort}`] : []),
    ...(controller ? [`CONTROLLER://127.0.0.1:${p.controllerPort}`] : []),
  ];
  const brokerOnly = broker
    ? `advertised.listeners=PLAINTEXT://127.0.0.1:${p.brokerPort},IAM://127.0.0.1:${p.iamPort}
inter.broker.listener.name=PLAINTEXT
# The MSK IAM listener: TLS and SASL/OAUTHBEARER with the MSK IAM signer's token, as MSK's port 9098.
listener.name.iam.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.iam.oauthbearer.sasl.server.callback.handler.class=${HANDLER_CLASS}
listener.name.iam.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker";
listener.name.iam.ssl.keystore.type=PKCS12
listener.name.iam.ssl.keystore.location=${p.iam.keystore}
listener.name.iam.ssl.keystore.password=${p.iam.keystorePassword}
listener.name.iam.ssl.key.password=${p.iam.keystorePassword}
`
    : '';
  return `# Generated by local/runtime/services/kafka/kafka-broker.ts: node ${p.id} (${p.roles}) of a ${p.brokers}-broker local KRaft cluster.
process.roles=${p.roles}
node.id=${p.id}
controller.quorum.voters=${p.voters}
listeners=${listeners.join(',')}
${brokerOnly}controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,IAM:SASL_SSL
log.dirs=${p.dataDir}
# ACLs (KRaft's StandardAuthorizer, on every node): the MSK IAM listener's principals (User:<function id>)
# get only what the ACLs derived from their roles allow. PLAINTEXT and CONTROLLER connections are
# User:ANONYMOUS, the runtime's own clients and the nodes themselves: super user.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=false
# The settings below are read by brokers, and by the controller when it creates topics and elects leaders.
# Topics are the app's (createTopics), as in AWS: a typo in a topic name must fail, not create a topic.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=${replicationFactor}
min.insync.replicas=${minInsyncReplicas}
# As on MSK: a replica that was out of sync never becomes leader (it could drop acknowledged records).
unclean.leader.election.enable=false
# The internal topics replicated like the business topics, with fewer partitions than a cluster needs.
offsets.topic.replication.factor=${replicationFactor}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replicationFactor}
transaction.state.log.min.isr=${minInsyncReplicas}
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=${replicationFactor}
share.coordinator.state.topic.min.isr=${minInsyncReplicas}
# A consumer group starts at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
`;
}

const LOG4J2_CONFIG = `# Broker log for local runs: warnings and the start/stop lines.
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = out
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
# Denied requests (INFO; allowed ones are DEBUG) to their own file, one per node.
appender.authorizer.type = File
appender.authorizer.name = authorizer
appender.authorizer.fileName = \${sys:local.authorizer.log:-/dev/null}
# Written at once: the runner reads the file while the broker runs.
appender.authorizer.bufferedIo = false
appender.authorizer.immediateFlush = true
appender.authorizer.layout.type = PatternLayout
appender.authorizer.layout.pattern = [%d] %m%n
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = info
logger.authorizer.additivity = false
logger.authorizer.appenderRef.file.ref = authorizer
`;

/**
 * A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid`
 * prints). Like Kafka's Uuid.randomUuid(), never one starting with '-', which a command line takes
 * for an option.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
