/**
 * The local event source mapping runner: reads the synthesized templates, runs every function's
 * bundle in local execution environments, and feeds them from Kafka and DynamoDB Streams the way
 * Lambda's event source mappings do. Used by `npm run local`, `npm run invoke` and the e2e tests.
 * It knows nothing of the app it runs: the few names it must be told (which tag carries a
 * function's id, which variables point at AWS, which bucket and stream tables exist locally) come
 * in as RunnerBindings with loadAssembly.
 *
 *   bindings.ts             what the app tells the runner about its names
 *   assembly.ts             what the templates say: functions (by their id tag), mappings
 *   environment.ts          a function's environment with AWS resources swapped for local ones
 *   function-host.ts        warm execution environments (host/runtime.js), timeouts, logs
 *   kafka-poller.ts         one consumer per Kafka mapping: batching, commits, reconnects
 *   dynamodb-stream-poller  one poller per DynamoDB stream mapping
 *   event-filter.ts         FilterCriteria, with Lambda's rules for Kafka values
 *   kafka-event.ts          MSK events as Lambda delivers them, the 6 MB batch cap
 *   retry-policy.ts         retries, bisection, partial batch responses, record age: pure decisions
 *   on-failure.ts           what on-failure destinations receive; destinations.ts delivers it
 *   lambda-api.ts           the Lambda API's view of the mappings (State, LastProcessingResult)
 *
 * Not emulated, on purpose or for want of a local equivalent:
 * - MSK IAM authentication, Kafka ACLs and TLS: functions reach the local broker in plaintext. Their
 *   AWS SDK calls, though, are checked against their roles, resource policies and routes by the
 *   enforcement gateway (enforcement/, docs/local-enforcement.md), unless `enforce: false`.
 * - Scaling: one poller and one batch in flight per mapping; a function gets an execution
 *   environment per overlapping invocation up to `maxEnvironmentsPerFunction` (4); ProvisionedPollerConfig,
 *   ParallelizationFactor, reserved concurrency and the memory size's CPU share are ignored (the
 *   memory size sets the heap limit only). In AWS "each event poller can handle up to 5 MB/sec of
 *   throughput or up to 5 concurrent invocations"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/kafka-scaling-modes.html); tried here with five
 *   batches of distinct partitions in flight per mapping, the pipeline bench on two cores fell from
 *   9.2 to 7.1 orders/s and its p99 at half the limit rose from 3.7 to 13.6 s, the status
 *   projector's batches taking about 2 s each: on two cores, more batches at once only added
 *   contention (docs/benchmarks.md, "Pipeline").
 * - SQS and SNS on-failure destinations: the invocation record they would receive is logged. S3
 *   destinations work for the buckets the bindings give a local stand-in.
 * - StartingPosition AT_TIMESTAMP, schema registries, filter encryption, ESM logging and metrics
 *   configuration, tumbling windows.
 * - DynamoDB stream checkpoints live in memory: a restarted runner reads the stream again from its
 *   starting position (the function sees those records again, as after a redelivery).
 * - The Lambda runtime's console formatting: functions' stdout and stderr are passed through as
 *   written (Powertools writes JSON lines either way); START, END and REPORT lines are added.
 * - The runtime's AWS SDK is the project's copy, not the version Lambda ships.
 */
export { synthesize, type SynthOptions } from './synth';
export { synthesizeIfChanged, type Synthesis } from './synth-cache';
export {
  AssemblyError,
  loadAssembly,
  type Assembly,
  type FunctionSpec,
  type KafkaMappingSpec,
  type OnFailureDestination,
  type StreamMappingSpec,
} from './assembly';
export type { LocalEndpoints } from '../endpoints';
export type { RunnerBindings } from './bindings';
export { startLocalLambdaApi, type LocalLambdaApi, type LocalMappingView } from './lambda-api';
export { UnresolvedEnvironmentError } from './environment';
export { FilterPatternError } from './event-filter';
export type { MappingStats } from './kafka-poller';
export { summarizeHops, type HopSample, type HopSummary } from './hops';
export { NO_ENFORCE_WARNING, type FaultInjector, type FaultRule } from './enforcement';
export { findFunction, RunnerConfigurationError, startRunner, type Runner, type RunnerOptions } from './runner';
