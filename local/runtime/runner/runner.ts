import type { HopSample } from './hops';
import type { LocalEndpoints } from '../endpoints';
import type { Assembly, FunctionSpec, KafkaMappingSpec, StreamMappingSpec } from './assembly';
import { functionArn, functionEnvironment, LOCAL_ACCOUNT } from './environment';
import { FunctionHost, type InvokeResult } from './function-host';
import { KafkaPoller, type MappingStats } from './kafka-poller';
import { destinations, unsupportedDestination } from './destinations';
import type { InvocationOutcome } from './retry-policy';
import { StreamPoller } from './dynamodb-stream-poller';
import { compileFilters } from './event-filter';
import { disabledMappingView, lambdaMappingView, type LocalMappingView } from './lambda-api';
import { localAccessKeyId, startEnforcement } from './enforcement';
import { LOCAL_CREDENTIALS } from '../endpoints';
import type { EnforcementStats } from './enforcement/gateway';
import type { FaultInjector } from './enforcement/faults';

export interface RunnerOptions {
  readonly assembly: Assembly;
  readonly endpoints: LocalEndpoints;
  /** Receives the functions' log lines (prefixed with the function id) and the runner's own. */
  readonly log?: (line: string) => void;
  /** Start the event source mappings' pollers (default true); `npm run invoke` runs functions only. */
  readonly pollers?: boolean;
  /**
   * Execution environments per function when invocations overlap (default MAX_ENVIRONMENTS_PER_FUNCTION):
   * "For each concurrent request, Lambda provisions a separate instance of your execution environment"
   * (Lambda developer guide, "Understanding Lambda function scaling").
   */
  readonly maxEnvironmentsPerFunction?: number;
  /** Delay before the n-th retry of a failed batch: baseMs * 2^(n-1), at most maxMs (default 100 ms, 5 s). */
  readonly retryBackoff?: { readonly baseMs: number; readonly maxMs: number };
  /**
   * Check every AWS call a function makes against its role, the resource's policy and the routes of
   * its subnets, as AWS would (default true; see enforcement/). Off only for debugging.
   */
  readonly enforce?: boolean;
}

export interface Runner {
  /** Invokes a function once, by its id (its function id tag) or its logical id, like `sam local invoke`. */
  invoke(
    functionId: string,
    event: unknown,
  ): Promise<{ result?: unknown; error?: { errorType: string; errorMessage: string }; logs: string }>;
  stats(): { mappings: MappingStats[]; enforcement: EnforcementStats };
  /** Per mapping id, each record delivered since the last call: its time in the source, the window and the invocation. */
  drainHops(): Record<string, HopSample[]>;
  /** The mappings as the Lambda API reports them (State, LastProcessingResult), for local/runtime/runner/lambda-api.ts. */
  eventSourceMappings(): LocalMappingView[];
  /** Faults the enforcement gateway answers in place of the AWS stand-ins (absent when enforcement is off). */
  readonly faults?: FaultInjector;
  /** Stops the pollers and every execution environment; uncommitted batches are delivered again next time. */
  stop(): Promise<void>;
}

/**
 * How far a function scales out locally. Environments start only when invocations overlap (the
 * order API under concurrent POSTs, a function behind several mappings); on a laptop's few cores,
 * more processes than this only compete for the CPU.
 */
export const MAX_ENVIRONMENTS_PER_FUNCTION = 4;

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
  const kafkaMappings = runPollers ? assembly.kafkaMappings.filter((m) => m.enabled) : [];
  const streamMappings = runPollers ? assembly.streamMappings.filter((m) => m.enabled) : [];
  checkMappings([...kafkaMappings, ...streamMappings], log);

  const enforcement = options.enforce === false ? undefined : await startEnforcement(assembly, endpoints, log);
  if (!enforcement) {
    log(
      'ENFORCEMENT OFF: functions may call any AWS service and resource, whatever their role and routes allow in AWS',
    );
  }
  // Functions reach the broker's MSK IAM listener, as their role, only while its ACLs are the roles'.
  const fnEndpoints: LocalEndpoints = enforcement?.kafka ? endpoints : { ...endpoints, kafkaIam: undefined };
  const hosts = new Map<string, FunctionHost>();
  for (const fn of assembly.functions) {
    hosts.set(
      fn.id,
      new FunctionHost({
        spec: fn,
        env: functionEnvironment(fn, fnEndpoints, assembly.bindings, enforcement?.gateway.url),
        functionArn: functionArn(fn, endpoints.region),
        maxEnvironments: options.maxEnvironmentsPerFunction ?? MAX_ENVIRONMENTS_PER_FUNCTION,
        log,
      }),
    );
  }
  const hostFor = (id: string) => hosts.get(id)!;
  const arnOf = (id: string) => functionArn(findFunction(assembly, id), endpoints.region);
  const onFailure = destinations(endpoints, log);

  const pollers: { stop(): Promise<void>; stats(): MappingStats; drainHops(): HopSample[] }[] = [];
  const stopAll = async () => {
    // Pollers stop taking batches at once; killing the environments ends an invocation in flight,
    // whose batch then stays uncommitted and is delivered again next time (at least once).
    const pollersStopped = Promise.all(pollers.map((p) => p.stop().catch(() => undefined)));
    await Promise.all([...hosts.values()].map((h) => h.stop()));
    await pollersStopped;
    await onFailure.close();
    await enforcement?.gateway.stop();
  };

  try {
    await Promise.all(
      kafkaMappings.map(async (mapping) => {
        const source = {
          eventSourceArn:
            mapping.eventSourceArn ?? `arn:aws:kafka:${endpoints.region}:${LOCAL_ACCOUNT}:cluster/local/local`,
          bootstrapServers: endpoints.kafkaBootstrap,
        };
        const poller = await KafkaPoller.start({
          mapping,
          bootstrap: endpoints.kafkaBootstrap,
          // As in AWS, the mapping polls with its function's role: its principal on the MSK IAM listener.
          iam: fnEndpoints.kafkaIam && {
            bootstrap: fnEndpoints.kafkaIam.bootstrap,
            caFile: fnEndpoints.kafkaIam.caFile,
            region: endpoints.region,
            credentials: {
              accessKeyId: localAccessKeyId(mapping.functionId),
              secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
            },
          },
          source,
          invoke: (event) => invokeForMapping(hostFor(mapping.functionId), event),
          discard: onFailure.forKafka(mapping, arnOf(mapping.functionId), source),
          log,
          retryBackoff: options.retryBackoff,
        });
        pollers.push(poller);
      }),
    );
    for (const mapping of streamMappings) {
      const poller = await StreamPoller.start({
        mapping,
        dynamodbEndpoint: endpoints.dynamodbEndpoint,
        region: endpoints.region,
        invoke: (event) => invokeForMapping(hostFor(mapping.functionId), event),
        discard: onFailure.forStream(mapping, arnOf(mapping.functionId)),
        log,
        retryBackoff: options.retryBackoff,
      });
      pollers.push(poller);
    }
    log(
      `Runner started: ${hosts.size} functions, ${kafkaMappings.length} Kafka mappings, ` +
        `${streamMappings.length} DynamoDB stream mappings`,
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    async invoke(functionId, event) {
      const fn = findFunction(assembly, functionId);
      const since = enforcement?.gateway.refusalsSince(0).next ?? 0;
      const invocation = await hostFor(fn.id).invoke(event);
      // What the gateway refused this function during the invocation goes with its logs.
      const refused = (enforcement?.gateway.refusalsSince(since).lines ?? []).filter((l) =>
        l.includes(`function ${fn.id}`),
      );
      const logs = invocation.logs + refused.map((l) => `${l}\n`).join('');
      return invocation.error ? { error: invocation.error, logs } : { result: invocation.result, logs };
    },
    stats() {
      return {
        mappings: pollers.map((p) => p.stats()),
        enforcement: enforcement
          ? {
              ...enforcement.gateway.stats(),
              kafka: enforcement.kafka?.stats(),
              startMs: Math.round(enforcement.startMs),
            }
          : { enabled: false, perFunction: {}, refusals: [] },
      };
    },
    drainHops() {
      return Object.fromEntries(pollers.map((p) => [p.stats().id, p.drainHops()]));
    },
    eventSourceMappings() {
      const disabled = runPollers
        ? [...assembly.kafkaMappings, ...assembly.streamMappings].filter((m) => !m.enabled)
        : [];
      return [
        ...pollers.map((p) => {
          const stats = p.stats();
          return lambdaMappingView(stats, arnOf(stats.functionId));
        }),
        ...disabled.map((m) => disabledMappingView(m, arnOf(m.functionId))),
      ];
    },
    faults: enforcement?.gateway.faults,
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

/** A function by its id or its logical id; a clear error listing both otherwise. */
export function findFunction(assembly: Assembly, idOrLogicalId: string): FunctionSpec {
  const fn = assembly.functions.find((f) => f.id === idOrLogicalId || f.logicalId === idOrLogicalId);
  if (!fn) {
    const known = assembly.functions.map((f) => `${f.id} (${f.logicalId})`).join(', ');
    const untagged = assembly.untaggedFunctions.map((f) => f.logicalId).join(', ');
    throw new RunnerConfigurationError(
      `No function "${idOrLogicalId}" in the assembly. Functions tagged with their id: ${known || 'none'}` +
        (untagged ? `; without the id tag (not run locally): ${untagged}` : ''),
    );
  }
  return fn;
}

/**
 * Fails fast on what a poller could only find out mid-run: bad filters, destinations the runner
 * cannot reach. SQS and SNS destinations are not emulated: said once here, and each discarded
 * batch's invocation record goes to the log.
 */
function checkMappings(mappings: readonly (KafkaMappingSpec | StreamMappingSpec)[], log: (line: string) => void): void {
  const problems: string[] = [];
  for (const mapping of mappings) {
    try {
      compileFilters(mapping.filterPatterns);
    } catch (error) {
      problems.push(`${mapping.id}: ${(error as Error).message}`);
    }
    const unsupported = unsupportedDestination(mapping);
    if (unsupported) problems.push(`${mapping.id}: on-failure destination ${unsupported}`);
    const type = mapping.onFailure?.type;
    if (type === 'sqs' || type === 'sns' || type === 'unknown') {
      log(
        `[${mapping.id}] on-failure destination ${type.toUpperCase()} is not emulated locally: ` +
          'discarded batches are logged with the invocation record it would receive',
      );
    }
  }
  if (problems.length > 0) throw new RunnerConfigurationError(`Cannot run the mappings:\n  ${problems.join('\n  ')}`);
}
