import type { HopTimingsRecorder } from '../analytics/hop-timings';
import type { FunctionId } from '../contracts/functions';
import { SUBSCRIPTIONS } from '../contracts/subscriptions';
import { logger } from '../observability';
import type { KafkaBatchFunction } from './batch';
import { recordsByPartition } from './msk-event';

/**
 * A consumer that records each invocation's per-hop timings (analytics/hop-timings.ts) after its
 * batch: one write per invocation, whatever the batch size. A failed write is logged and never
 * fails the batch: the dashboard's figures are not worth a redelivery.
 */
export function withHopTimings(
  functionId: FunctionId,
  handler: KafkaBatchFunction,
  recorder: HopTimingsRecorder,
  now: () => number = Date.now,
): KafkaBatchFunction {
  return async (event, context) => {
    const startedAt = now();
    const response = await handler(event, context);
    const partitions = recordsByPartition(event);
    const first = partitions[0]?.[1][0];
    const mapping = first && mappingOf(functionId, first.topic);
    if (first && mapping) {
      const recordTimestamps = partitions.flatMap(([, records]) => records.map((r) => r.timestamp));
      try {
        await recorder.record({ mapping, startedAt, endedAt: now(), recordTimestamps }, partitions[0]![0]);
      } catch (error) {
        logger.warn('Per-hop timings not recorded', { mapping, error: error as Error });
      }
    }
    return response;
  };
}

/** The event source mapping (subscription id) of a function's records of a topic. */
export function mappingOf(functionId: FunctionId, topic: string): string | undefined {
  return SUBSCRIPTIONS.find((s) => s.functionId === functionId && s.topic === topic)?.id;
}
