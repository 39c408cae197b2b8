import { ProduceAcks, Producer } from '@platformatic/kafka';
import type { FunctionId } from '../../../lambdas/shared/contracts/subscriptions';
import type { Assembly, FunctionSpec, KafkaMappingSpec, StreamMappingSpec } from './assembly';
import { functionArn, functionEnvironment, LOCAL_ACCOUNT, type LocalEndpoints } from './environment';
import { FunctionHost, type InvokeResult } from './function-host';
import { KafkaPoller, type MappingStats } from './kafka-poller';
import { kafkaFailureMessages } from './on-failure';
import type { InvocationOutcome } from './retry-policy';
import { StreamPoller } from './dynamodb-stream-poller';
import { compileFilters } from './event-filter';

export interface RunnerOptions {
  readonly assembly: Assembly;
  readonly endpoints: LocalEndpoints;
  /** Receives the functions' log lines (prefixed with the function id) and the runner's own. */
  readonly log?: (line: string) => void;
  /** Start the event source mappings' pollers (default true); `npm run invoke` runs functions only. */
  readonly pollers?: boolean;
  /** Execution environments per function when invocations overlap (default 1, as one warm environment). */
  readonly maxEnvironmentsPerFunction?: number;
  /** Delay before the n-th retry of a failed batch: baseMs * 2^(n-1), at most maxMs (default 100 ms, 5 s). */
  readonly retryBackoff?: { readonly baseMs: number; readonly maxMs: number };
}

export interface Runner {
  /** Invokes a function once, by its id in FUNCTIONS or its logical id, like `sam local invoke`. */
  invoke(
    functionId: FunctionId | string,
    event: unknown,
  ): Promise<{ result?: unknown; error?: { errorType: string; errorMessage: string }; logs: string }>;
  stats(): { mappings: MappingStats[] };
  /** Stops the pollers and every execution environment; uncommitted batches are delivered again next time. */
  stop(): Promise<void>;
}

export class RunnerConfigurationError extends Error {
  override readonly name = 'RunnerConfigurationError';
}

/**
 * Starts the local event source mapping runner: one function host per function, one poller per
 * Kafka mapping and per DynamoDB stream mapping. Resolves once every Kafka poller has joined its
 * consumer group, so that records produced afterwards are seen even by LATEST mappings. Everything
 * that can be checked without the broker (environments, filters, destinations) is checked first.
 */
export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const { assembly, endpoints } = options;
  const log = options.log ?? (() => undefined);
  const runPollers = options.pollers ?? true;
  const enabledKafka = runPollers ? assembly.kafkaMappings.filter((m) => m.enabled) : [];
  const enabledStreams = runPollers ? assembly.streamMappings.filter((m) => m.enabled) : [];
  checkMappings([...enabledKafka, ...enabledStreams]);

  const hosts = new Map<FunctionId, FunctionHost>();
  for (const fn of assembly.functions) {
    hosts.set(
      fn.id,
      new FunctionHost({
        spec: fn,
        env: functionEnvironment(fn, endpoints),
        functionArn: functionArn(fn, endpoints.region),
        maxEnvironments: options.maxEnvironmentsPerFunction ?? 1,
        log,
      }),
    );
  }
  const hostFor = (id: FunctionId) => hosts.get(id)!;

  let producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;
  const failureProducer = () =>
    (producer ??= new Producer({
      clientId: 'lambda-esm-on-failure',
      bootstrapBrokers: [endpoints.kafkaBootstrap],
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
    }));

  const kafkaPollers: KafkaPoller[] = [];
  const streamPollers: StreamPoller[] = [];
  const stopAll = async () => {
    await Promise.all([...kafkaPollers, ...streamPollers].map((p) => p.stop().catch(() => undefined)));
    await Promise.all([...hosts.values()].map((h) => h.stop()));
    await producer?.close().catch(() => undefined);
  };

  try {
    const started = await Promise.all(
      enabledKafka.map((mapping) =>
        KafkaPoller.start({
          mapping,
          bootstrap: endpoints.kafkaBootstrap,
          source: {
            eventSourceArn:
              mapping.eventSourceArn ?? `arn:aws:kafka:${endpoints.region}:${LOCAL_ACCOUNT}:cluster/local/local`,
            bootstrapServers: endpoints.kafkaBootstrap,
          },
          invoke: (event) => invokeForMapping(hostFor(mapping.functionId), event),
          discard: async (records, info, batch) => {
            const fn = assembly.functions.find((f) => f.id === mapping.functionId)!;
            const destination = mapping.onFailure;
            if (destination?.type !== 'kafka') {
              log(
                `[${mapping.id}] ${records.length} record(s) dropped (${info.condition}: ${info.reason}); no on-failure destination`,
              );
              return;
            }
            const messages = kafkaFailureMessages(records, info, {
              source: {
                eventSourceArn:
                  mapping.eventSourceArn ?? `arn:aws:kafka:${endpoints.region}:${LOCAL_ACCOUNT}:cluster/local/local`,
                bootstrapServers: endpoints.kafkaBootstrap,
              },
              functionArn: functionArn(fn, endpoints.region),
              batch,
              now: new Date(),
            });
            await failureProducer().send({
              messages: messages.map((m) => ({ topic: destination.topic, key: m.key, value: Buffer.from(m.value) })),
            });
            log(
              `[${mapping.id}] ${records.length} record(s) sent to kafka://${destination.topic} (${info.condition}: ${info.reason})`,
            );
          },
          log,
          retryBackoff: options.retryBackoff,
        }).then((poller) => {
          kafkaPollers.push(poller);
          return poller;
        }),
      ),
    );
    for (const mapping of enabledStreams) {
      streamPollers.push(
        await StreamPoller.start({
          mapping,
          dynamodbEndpoint: endpoints.dynamodbEndpoint,
          region: endpoints.region,
          invoke: (event) => invokeForMapping(hostFor(mapping.functionId), event),
          discard: async (records, info) => {
            log(`[${mapping.id}] ${records.length} record(s) dropped (${info.condition}: ${info.reason})`);
          },
          log,
          retryBackoff: options.retryBackoff,
        }),
      );
    }
    log(
      `Runner started: ${hosts.size} functions, ${started.length} Kafka mappings, ${streamPollers.length} stream mappings`,
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    async invoke(functionId, event) {
      const fn = findFunction(assembly, functionId);
      const { result, error, logs } = await hostFor(fn.id).invoke(event);
      return error ? { error, logs } : { result, logs };
    },
    stats() {
      return { mappings: [...kafkaPollers, ...streamPollers].map((p) => p.stats()) };
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

async function invokeForMapping(host: FunctionHost, event: unknown): Promise<InvocationOutcome> {
  const invocation: InvokeResult = await host.invoke(event, { forwardLogs: true });
  return invocation.error
    ? { ok: false, requestId: invocation.requestId, ...invocation.error }
    : { ok: true, requestId: invocation.requestId, response: invocation.result };
}

/** A function by its id in FUNCTIONS or its logical id; a clear error listing both otherwise. */
export function findFunction(assembly: Assembly, idOrLogicalId: string): FunctionSpec {
  const fn = assembly.functions.find((f) => f.id === idOrLogicalId || f.logicalId === idOrLogicalId);
  if (!fn) {
    const known = assembly.functions.map((f) => `${f.id} (${f.logicalId})`).join(', ');
    throw new RunnerConfigurationError(`No function "${idOrLogicalId}" in the assembly; functions: ${known}`);
  }
  return fn;
}

/** Fails fast on what a poller could only find out mid-run: bad filters, destinations the runner cannot reach. */
function checkMappings(mappings: readonly (KafkaMappingSpec | StreamMappingSpec)[]): void {
  const problems: string[] = [];
  for (const mapping of mappings) {
    try {
      compileFilters(mapping.filterPatterns);
    } catch (error) {
      problems.push(`${mapping.id}: ${(error as Error).message}`);
    }
    const destination = mapping.onFailure;
    if (destination && !(mapping.kind === 'kafka' && destination.type === 'kafka')) {
      problems.push(
        `${mapping.id}: on-failure destination ${destination.type} is not emulated locally ` +
          '(the runner supports kafka:// destinations of Kafka mappings)',
      );
    }
    if (mapping.kind === 'kafka' && destination?.type === 'kafka' && destination.topic === mapping.topic) {
      // Lambda rejects this configuration: it would loop.
      problems.push(`${mapping.id}: the on-failure destination is the mapping's own topic ${mapping.topic}`);
    }
  }
  if (problems.length > 0) throw new RunnerConfigurationError(`Cannot run the mappings:\n  ${problems.join('\n  ')}`);
}
