import { SUBSCRIPTIONS } from '../../../lambdas/shared/contracts/subscriptions';
import type { FunctionId } from '../../../lambdas/shared/contracts/functions';
import { committedOffsets, endOffsets } from './kafka-inspect';

/**
 * Waits until every Kafka mapping of the given functions has committed the end of every partition
 * of its topic (consumer lag 0), so that a snapshot sees what they made of the run. The orders'
 * terminal states say nothing about consumers off the order path, such as analytics and
 * notifications. Resolves with the lag left (0 when caught up) once caught up or at the deadline.
 */
export async function waitForConsumers(
  bootstrap: string,
  functionIds: readonly FunctionId[],
  { timeoutMs, intervalMs = 500 }: { timeoutMs: number; intervalMs?: number },
): Promise<{ lag: number; groups: string[] }> {
  const subscriptions = SUBSCRIPTIONS.filter((s) => functionIds.includes(s.functionId));
  const topics = [...new Set(subscriptions.map((s) => s.topic))];
  const groups = [...new Set(subscriptions.map((s) => s.consumerGroupId))];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [ends, committed] = await Promise.all([endOffsets(bootstrap, topics), committedOffsets(bootstrap, groups)]);
    let lag = 0;
    for (const s of subscriptions) {
      (ends.get(s.topic) ?? []).forEach((end, partition) => {
        const done = committed.get(s.consumerGroupId)?.get(`${s.topic}-${partition}`) ?? -1;
        lag += end - Math.max(0, done);
      });
    }
    if (lag === 0 || Date.now() >= deadline) return { lag, groups };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
