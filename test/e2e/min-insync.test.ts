import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { KafkaEventPublisher } from '../../lambdas/shared/kafka/kafka-publisher';
import { readTopic } from '../../local/lab/demo/kafka-inspect';
import { mayHaveAppended, minInsyncRefusal } from '../../local/lab/demo/min-insync-probe';
import { APP_RESOURCES } from '../../local/lab/app-bindings';
import { createTopics, startKafkaCluster, type KafkaCluster } from '../../local/runtime/services';

/**
 * min.insync.replicas on three real brokers: the case starts its own three-node KRaft cluster (the
 * e2e globalSetup's broker is a single node), so it is slow, bounded in time.
 */
const RUN_TIMEOUT_MS = 600_000;

describe('a three-broker cluster with two brokers down', () => {
  it(
    'GIVEN two of three brokers down and the quorum up WHEN an acks=all producer publishes THEN it is refused with NOT_ENOUGH_REPLICAS, and its retries after a broker returns leave the event in the topic, at most once more per send that may have been appended',
    async () => {
      const workDir = mkdtempSync(join(tmpdir(), 'kafka-min-isr-'));
      let cluster: KafkaCluster | undefined;
      try {
        cluster = await startKafkaCluster({ workDir, brokers: 3, replication: APP_RESOURCES.topics.replication });
        await createTopics(cluster.bootstrap, APP_RESOURCES.topics, 3);
        const [, second, third] = cluster.nodes;
        const eventId = randomUUID();
        const event = {
          topic: TOPICS.clicks.name,
          key: 'u-min-isr',
          event: { event_type: 'Click', event_id: eventId },
        };
        // One producer for every attempt, as a warm function keeps its producer between retries.
        const publisher = new KafkaEventPublisher({
          bootstrapBrokers: cluster.bootstrap.split(','),
          auth: 'plaintext',
          clientId: 'e2e-min-isr',
        });
        let appendedMaybe = 0;
        const send = () =>
          publisher.publish([event as never]).then(
            () => 'acknowledged' as const,
            (error: unknown) => {
              if (mayHaveAppended(error)) appendedMaybe++;
              return error;
            },
          );

        await Promise.all([second!.kill(), third!.kill()]);
        // The controller is not among the killed brokers: once it fences them, broker 1 leads every
        // partition with one in-sync replica, below min.insync.replicas 2. Until then sends time out.
        let refusal: ReturnType<typeof minInsyncRefusal>;
        for (let attempt = 1; !refusal && attempt <= 10; attempt++) {
          const outcome = await send();
          expect(outcome).not.toBe('acknowledged');
          refusal = minInsyncRefusal(outcome);
        }
        expect([
          { error: 'NOT_ENOUGH_REPLICAS', code: 19 },
          { error: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', code: 20 },
        ]).toContainEqual(refusal);

        await second!.restart();
        // The caller retries (Lambda retries the batch); two brokers in sync are enough again.
        for (let attempt = 1; (await send()) !== 'acknowledged'; attempt++) {
          expect(attempt).toBeLessThan(10);
          await new Promise((resolve) => setTimeout(resolve, 2_000));
        }
        await publisher.close();

        // Not lost; a copy more only for a send that timed out after the leader had appended it (a
        // plain NOT_ENOUGH_REPLICAS never appends), each copy the same event that consumers count once.
        const written = (await readTopic(cluster.bootstrap, TOPICS.clicks.name)).filter((r) =>
          r.value?.includes(eventId),
        );
        expect(written.length).toBeGreaterThanOrEqual(1);
        expect(written.length).toBeLessThanOrEqual(1 + appendedMaybe);
        expect(new Set(written.map((r) => r.value))).toEqual(new Set([JSON.stringify(event.event)]));
      } finally {
        await cluster?.stop();
        rmSync(workDir, { recursive: true, force: true });
      }
    },
    RUN_TIMEOUT_MS,
  );
});
