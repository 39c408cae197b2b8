import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { chaosPlan, chaosCloudOptions, runChaos } from '../../local/lab/demo/chaos';
import { startDemoCloud } from '../../local/lab/demo/demo-run';
import { generateDemoPlan } from '../../local/lab/demo/order-generator';

/**
 * `npm run local -- --orders N --chaos` on a small order count: its own local cloud (one broker,
 * DynamoDB Local on a data file), since the run halts DynamoDB Local and kills the broker. The
 * outage alone outlasts the retry budget (about two minutes in dev), so the test is slow, bounded.
 */
const RUN_TIMEOUT_MS = 900_000;
/** The run's length is the outage's (the retry budget), not the orders': fewer save little. */
const ORDERS = 30;
const quiet = () => undefined;

it(
  'GIVEN 30 orders under every fault of the chaos run WHEN what was given up is re-driven THEN every accepted order is terminal, I1-I6 and I8 hold under SES and notifications-table throttling, money moved once, and every record of every consumed topic is processed or dead-lettered as poison',
  async () => {
    const parts: { stop(): Promise<void> }[] = [];
    try {
      const plan = chaosPlan(generateDemoPlan(ORDERS, 'chaos-e2e'));
      const demo = await startDemoCloud({
        apiPort: 0,
        log: quiet,
        onStarted: (p) => parts.push(p),
        ...chaosCloudOptions(plan),
      });
      const summary = await runChaos(demo, plan, { concurrency: 4, timeoutMs: 420_000, log: quiet });

      expect(summary.problems).toEqual([]);
      expect(summary.invariants.filter((i) => !i.holds)).toEqual([]);
      expect(summary.orders.accepted).toBe(ORDERS + 1);
      expect(summary.chaos!.faults.filter((f) => !f.injected)).toEqual([]);
      expect(summary.chaos!.faults.map((f) => f.name)).toEqual(
        expect.arrayContaining([
          'dynamodb-outage',
          'broker-restart',
          'oversize-record',
          'deep-json',
          'tombstone',
          'not-json',
          'duplicate-order-created',
          'provider-forgets-keys',
          'archive-overlap',
          'ses-throttling',
          'notifications-table-throttling',
        ]),
      );
      // Both throttling faults met calls of the notification function (the gateway counts them)...
      const throttled = Object.fromEntries(summary.chaos!.faults.map((f) => [f.name, f.count]));
      expect(throttled['ses-throttling']).toBeGreaterThan(0);
      expect(throttled['notifications-table-throttling']).toBeGreaterThan(0);
      // ...and I8 held: every order change emailed, none twice but in the outage's crash window or after a send that got no answer.
      const emails = summary.chaos!.emails;
      expect(emails.expected).toBeGreaterThan(0);
      expect({ sent: emails.sent, missing: emails.missing }).toEqual({ sent: emails.expected, missing: [] });
      expect(emails.duplicatedOutsideWindow).toEqual([]);
      expect(emails.duplicates).toBe(emails.duplicatesInCrashWindow + emails.duplicatesAfterUnansweredSend);
      // The outage outlasted the retry budget: records were given up, and came back through the re-drive.
      expect(summary.chaos!.retryBudget.outageMs).toBeGreaterThan(summary.chaos!.retryBudget.maxMs);
      expect(summary.redrive!.republished).toBeGreaterThan(0);
      expect(summary.redrive!.missing).toBe(0);
      for (const [topic, records] of Object.entries(summary.records!)) {
        expect({ topic, balanced: records.in === records.processed + records.deadLettered, lag: records.lag }).toEqual({
          topic,
          balanced: true,
          lag: 0,
        });
        // The four hostile records of a topic are poison for its schema-checking consumers; the
        // archive alone keeps any record (inventory has no other consumer).
        const archiveOnly = SUBSCRIPTIONS.filter((s) => s.topic === topic).every((s) => s.functionId === 'archive');
        expect({ topic, deadLettered: records.deadLettered }).toEqual({ topic, deadLettered: archiveOnly ? 0 : 4 });
      }
      expect(summary.chaos!.provider.chargedMoreThanOnce).toEqual([]);
      expect(summary.chaos!.refusedRefund).toMatchObject({ refundStatus: 'refund_failed', orderStatus: 'CANCELLED' });
      expect(summary.ok).toBe(true);
    } finally {
      for (const part of parts.reverse()) await part.stop().catch(quiet);
    }
  },
  RUN_TIMEOUT_MS,
);
