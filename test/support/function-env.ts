import { ENV } from '../../lambdas/shared/contracts/environment';
import { functionName, type FunctionId } from '../../lambdas/shared/contracts/functions';
import { TABLES, type TableId } from '../../lambdas/shared/contracts/tables';

/** Logs and metrics off: the handler tests assert on them through spies, not on stdout. */
export const QUIET_ENV = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } as const;

/**
 * The environment the CDK app gives a function, with every table named by its id, a plaintext local
 * broker, and logs and metrics silenced. A handler module reads it once, at import: set it before.
 */
export function functionEnv(functionId: FunctionId): Record<string, string> {
  return {
    ...Object.fromEntries((Object.keys(TABLES) as TableId[]).map((id) => [TABLES[id].envVar, id])),
    [ENV.archiveBucket]: 'order-pipeline-archive',
    [ENV.outboxSweepAfterSeconds]: '600',
    [ENV.kafkaBootstrapServers]: '127.0.0.1:9092',
    [ENV.kafkaAuth]: 'plaintext',
    [ENV.partialBatchResponse]: 'true',
    [ENV.region]: 'eu-west-1',
    [ENV.serviceName]: functionName(functionId),
    ...QUIET_ENV,
  };
}

/** Sets the function's environment, then loads its handler module (a cold start). */
export async function coldStart<T>(functionId: FunctionId, load: () => Promise<T>): Promise<T> {
  Object.assign(process.env, functionEnv(functionId));
  return load();
}
