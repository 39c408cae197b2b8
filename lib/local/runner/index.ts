/**
 * The local event source mapping runner: reads the synthesized templates, runs every function's
 * bundle in local execution environments, and feeds them from Kafka and DynamoDB Streams the way
 * Lambda's event source mappings do. Used by `npm run local`, `npm run invoke` and the e2e tests.
 */
export { synthesize, type SynthOptions } from './synth';
export {
  AssemblyError,
  loadAssembly,
  type Assembly,
  type FunctionSpec,
  type KafkaMappingSpec,
  type OnFailureDestination,
  type StreamMappingSpec,
} from './assembly';
export { UnresolvedEnvironmentError, type LocalEndpoints } from './environment';
export { FilterPatternError } from './event-filter';
export type { MappingStats } from './kafka-poller';
export { findFunction, RunnerConfigurationError, startRunner, type Runner, type RunnerOptions } from './runner';
