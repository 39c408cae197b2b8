import { runDemo, startDemoCloud } from '../../local/lab/demo/demo-run';
import { generateDemoPlan } from '../../local/lab/demo/order-generator';

/**
 * Replication on three real brokers: the demo run's own three-node KRaft cluster (the e2e
 * globalSetup's broker is a single node), so it is slow: a small run, bounded in time. The
 * min.insync.replicas probe is its own file (min-insync.test.ts), so the two clusters' cases run
 * on different workers.
 */
const RUN_TIMEOUT_MS = 600_000;
/**
 * The broker is killed after 5 orders and the other 7 flow across its outage and return: every
 * property (terminal orders, I1-I6, no acknowledged record lost) is per order or per record.
 */
const ORDERS = 12;
const quiet = () => undefined;

describe('a three-broker cluster', () => {
  it(
    'GIVEN 12 orders WHEN the busiest broker is killed after 5 and restarted THEN every order is terminal, I1-I6 hold and no acknowledged record is lost',
    async () => {
      const parts: { stop(): Promise<void> }[] = [];
      try {
        const demo = await startDemoCloud({ brokers: 3, apiPort: 0, log: quiet, onStarted: (p) => parts.push(p) });
        const summary = await runDemo(demo, generateDemoPlan(ORDERS, 'failover'), {
          concurrency: 4,
          timeoutMs: 300_000,
          existingBroker: false,
          killBrokerAfter: 5,
          brokerDownMs: 10_000,
          log: quiet,
        });

        expect(summary.problems).toEqual([]);
        expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
        expect(summary.orders.accepted).toBe(ORDERS);
        const failover = summary.failover!;
        expect(failover.killedAfterOrders).toBeGreaterThanOrEqual(5);
        expect(failover.leaderElections.length).toBeGreaterThan(0);
        expect(failover.underReplicated.some((s) => s.partitions > 0)).toBe(true);
        expect(failover.acknowledged.lost).toEqual([]);
        expect(failover.acknowledged.records).toBeGreaterThan(0);
        expect(failover.acknowledged.readable).toBe(failover.acknowledged.records);
      } finally {
        for (const part of parts.reverse()) await part.stop().catch(quiet);
      }
    },
    RUN_TIMEOUT_MS,
  );
});
