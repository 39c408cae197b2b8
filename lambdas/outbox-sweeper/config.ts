import { requireEnv, tablesFromEnv } from '../shared/config';
import { ENV } from '../shared/contracts/environment';
import { functionName } from '../shared/contracts/functions';
import { kafkaConnectionFromEnv, type KafkaConnection } from '../shared/kafka/kafka-publisher';

export interface OutboxSweeperConfig {
  readonly kafka: KafkaConnection;
  readonly outboxTable: string;
  readonly olderThanMs: number;
}

/** Read once by handler.ts at cold start; a missing or malformed variable fails the cold start with its name. */
export function outboxSweeperConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OutboxSweeperConfig {
  const raw = requireEnv(ENV.outboxSweepAfterSeconds, env);
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`${ENV.outboxSweepAfterSeconds} must be a whole number of seconds, got "${raw}"`);
  }
  return {
    kafka: kafkaConnectionFromEnv(functionName('outboxSweeper'), env),
    ...tablesFromEnv({ outboxTable: 'outbox' }, env),
    olderThanMs: seconds * 1000,
  };
}
