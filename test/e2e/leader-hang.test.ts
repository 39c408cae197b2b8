import { Admin, compatibilityPartitioner } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyEvent } from '../../lambdas/shared/contracts/events';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { kafkaBatchHandler } from '../../lambdas/shared/kafka/batch';
import { KafkaEventPublisher } from '../../lambdas/shared/kafka/kafka-publisher';
import { DEFAULT_RETRY_POLICY } from '../../lambdas/shared/kafka/retry-budget';
import { readTopic } from '../../local/lab/demo/kafka-inspect';
import { APP_RESOURCES } from '../../local/lab/app-bindings';
import { createTopics, startKafkaCluster, type KafkaCluster } from '../../local/runtime/services';
import { mskEvent, paidOutcome } from '../support/msk';

/**
 * A partition leader that stops answering (SIGSTOP, not a crash) on three real brokers, while the
 * shared batch loop relays records with the functions' own publisher. Its own cluster, as in
 * broker-failover.test.ts: slow to start, bounded in time.
 */
const RUN_TIMEOUT_MS = 300_000;
/** The functions' timeout (lib/config.ts) ... */
const FUNCTION_TIMEOUT_MS = 30_000;
/** ... less the batch loop's margin (DEFAULT_RETRY_POLICY): what the invocation's publishes get. */
const PUBLISH_BOUND_MS = FUNCTION_TIMEOUT_MS - DEFAULT_RETRY_POLICY.safetyMarginMs;
const DESTINATION = TOPICS.billingOutcome;

const lambdaContext = (timeoutMs: number) => {
  const endsAt = Date.now() + timeoutMs;
  return { getRemainingTimeInMillis: () => endsAt - Date.now() };
};

/** `perPartition` order ids for each destination partition (found with the producer's partitioner). */
function orderIdsPerPartition(partitions: number, perPartition: number): string[][] {
  const ids: string[][] = Array.from({ length: partitions }, () => []);
  while (ids.some((list) => list.length < perPartition)) {
    const id = `o-${randomUUID()}`;
    const list = ids[compatibilityPartitioner(undefined as never, Buffer.from(id)) % partitions]!;
    if (list.length < perPartition) list.push(id);
  }
  return ids;
}

async function leadersOf(bootstrap: string, topic: string): Promise<number[]> {
  const admin = new Admin({ clientId: 'e2e-leaders', bootstrapBrokers: bootstrap.split(','), retries: 1 });
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    return metadata.topics.get(topic)!.partitions.map((p) => p.leader);
  } finally {
    await admin.close();
  }
}

describe('a partition leader that stops answering', () => {
  it(
    'GIVEN three brokers and a consumer relaying to every partition WHEN the first bootstrap broker stops answering THEN records for partitions it does not lead complete within the invocation, only the others are handed back at the publish bound, and they succeed once it answers again',
    async () => {
      const workDir = mkdtempSync(join(tmpdir(), 'kafka-leader-hang-'));
      let cluster: KafkaCluster | undefined;
      let publisher: KafkaEventPublisher | undefined;
      let paused: KafkaCluster['nodes'][number] | undefined;
      try {
        cluster = await startKafkaCluster({ workDir, brokers: 3, replication: APP_RESOURCES.topics.replication });
        await createTopics(cluster.bootstrap, APP_RESOURCES.topics, 3);
        publisher = new KafkaEventPublisher({
          bootstrapBrokers: cluster.bootstrap.split(','),
          auth: 'plaintext',
          clientId: 'e2e-leader-hang',
        });
        const relay = publisher;
        const doneAt = new Map<string, number>();
        let invokedAt = 0;
        const handler = kafkaBatchHandler({
          consumer: 'e2e-relay',
          eventTypes: ['BillingOutcome'],
          partialBatchResponse: true,
          keyConcurrency: 8,
          deadLetters: relay,
          handle: async (event: AnyEvent) => {
            const orderId = (event as { order_id: string }).order_id;
            await relay.publish([{ topic: DESTINATION.name, key: orderId, event }]);
            doneAt.set(orderId, Date.now() - invokedAt);
          },
        });
        // One record per source partition, so a handed-back record holds back no other.
        const ids = orderIdsPerPartition(DESTINATION.partitions, 2).flat();
        const recordsOf = (orderIds: readonly string[]) =>
          mskEvent(
            orderIds.map((id) => ({
              topic: TOPICS.billingOutcome.name,
              partition: Math.max(0, ids.indexOf(id)),
              key: id,
              value: paidOutcome(id),
            })),
          );

        // A busy function: producer id, connections and a metadata cache (5 s) fresh from earlier
        // publishes, to every partition (no bound: the new topics' leaders may still be settling).
        const warmUp = orderIdsPerPartition(DESTINATION.partitions, 1).flat();
        await relay.publish(
          warmUp.map((id) => ({ topic: DESTINATION.name, key: id, event: paidOutcome(id) as unknown as AnyEvent })),
        );
        const leaders = await leadersOf(cluster.bootstrap, DESTINATION.name);
        // The first bootstrap broker is the worst to lose: metadata and producer-id requests go to it first.
        paused = cluster.nodes[0]!;
        const hungPartitions = leaders.flatMap((leader, partition) => (leader === paused!.id ? [partition] : []));
        expect(hungPartitions.length).toBeGreaterThan(0);
        expect(hungPartitions.length).toBeLessThan(DESTINATION.partitions);
        await relay.publish(
          warmUp.map((id) => ({ topic: DESTINATION.name, key: id, event: paidOutcome(id) as unknown as AnyEvent })),
        );

        paused.pause();
        invokedAt = Date.now();
        const first = await handler(recordsOf(ids), lambdaContext(FUNCTION_TIMEOUT_MS));
        const firstMs = Date.now() - invokedAt;
        paused.resume();
        paused = undefined;

        const handedBack = first.batchItemFailures.map(
          (f) => ids[Number(f.itemIdentifier.partition.split('-').at(-1))]!,
        );
        const expectedBack = ids.filter((_, i) => hungPartitions.includes(Math.floor(i / 2)));
        const healthyMs = ids.filter((id) => !expectedBack.includes(id)).map((id) => doneAt.get(id) ?? Infinity);
        console.info(
          `leader-hang: healthy records done after at most ${Math.max(...healthyMs)} ms; ` +
            `${handedBack.length} records handed back after ${firstMs} ms (bound ${PUBLISH_BOUND_MS} ms)`,
        );
        // Returned before Lambda would have stopped it (and failed every record of the batch) ...
        expect(firstMs).toBeLessThan(FUNCTION_TIMEOUT_MS);
        // ... having waited for the hung leader until the bound ...
        expect(firstMs).toBeGreaterThanOrEqual(PUBLISH_BOUND_MS - 100);
        // ... for its records only: the others are done, within the bound.
        expect(handedBack.sort()).toEqual([...expectedBack].sort());
        expect(healthyMs.every((ms) => ms < PUBLISH_BOUND_MS)).toBe(true);

        // Lambda redelivers the handed-back records: the broker answers again and they succeed.
        invokedAt = Date.now();
        const second = await handler(recordsOf(expectedBack), lambdaContext(FUNCTION_TIMEOUT_MS));
        expect(second.batchItemFailures).toEqual([]);

        // Every event is on its key's partition; a handed-back one at most twice (its first send may
        // have been written once the broker resumed), the same event each time.
        await publisher.close();
        publisher = undefined;
        const written = await readTopic(cluster.bootstrap, DESTINATION.name);
        for (const [i, id] of ids.entries()) {
          const copies = written.filter((r) => r.key === id);
          expect(copies.length).toBeGreaterThanOrEqual(1);
          expect(copies.length).toBeLessThanOrEqual(expectedBack.includes(id) ? 2 : 1);
          expect(new Set(copies.map((r) => r.partition))).toEqual(new Set([Math.floor(i / 2)]));
          expect(new Set(copies.map((r) => r.value)).size).toBe(1);
        }
      } finally {
        paused?.resume();
        await publisher?.close().catch(() => undefined);
        await cluster?.stop();
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    RUN_TIMEOUT_MS,
  );
});
