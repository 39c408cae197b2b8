import fc from 'fast-check';
import type { MSKEvent } from 'aws-lambda';
import { DynamoDbAnalyticsStore } from '../../../lambdas/analytics/adapters/dynamodb-analytics-store';
import { analyticsConsumer } from '../../../lambdas/analytics/analytics-consumer';
import { ALLOWED_LATENESS_MS } from '../../../lambdas/analytics/windows';
import {
  ANALYTICS_KEYS,
  minuteOf,
  PRODUCT_VIEWS_PREFIX,
  RECENT_PRODUCT_PREFIX,
} from '../../../lambdas/shared/analytics/analytics-keys';
import type { Click } from '../../../lambdas/shared/contracts/events';
import { mskEvent, type RecordSpec } from '../../support/msk';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryTable } from '../../support/doubles/analytics';

/**
 * I7: each click counts exactly once, whatever the redeliveries.
 *
 * A few distinct clicks (some late by the late-click rule) are written to the topic, each any
 * number of times at new offsets (a producer or client retry), and consumed in batches of any size
 * through the deployed consumer and the DynamoDB store, with throttled writes at any point (the
 * failed records come back, at least once). Then the whole topic is replayed, as when a consumer
 * group is rewound. Every counter must equal the count of distinct clicks it covers.
 */
const NOW = Date.parse('2026-11-28T12:00:30Z');
const clickArb = fc.record({
  user: fc.integer({ min: 0, max: 2 }),
  product: fc.integer({ min: 0, max: 3 }),
  // Up to 90 minutes old: a part of them is beyond the allowed lateness.
  ageSeconds: fc.integer({ min: 0, max: 90 * 60 }),
});

function click(index: number, spec: { user: number; product: number; ageSeconds: number }): Click {
  return {
    event_type: 'Click',
    event_id: `click-${index}`,
    user_id: `user-${spec.user}`,
    product_id: `product-${spec.product}`,
    timestamp: new Date(NOW - spec.ageSeconds * 1000).toISOString(),
  };
}

describe('I7: every click is counted exactly once', () => {
  it('GIVEN distinct clicks written several times and consumed in any batches with failing writes WHEN all are processed and replayed THEN every window, product, user and total counts each click once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(clickArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 10 }),
        async (specs, duplicateSeeds, batchSizes, failures) => {
          const clicks = specs.map((spec, i) => click(i, spec));
          const written = [...clicks, ...duplicateSeeds.map((seed) => clicks[seed % clicks.length]!)];
          // One partition per user (the topic is keyed by user_id): offsets grow per partition.
          const records: RecordSpec[] = written.map((c) => ({
            topic: 'clicks',
            partition: Number(c.user_id.slice(5)),
            key: c.user_id,
            value: c,
          }));
          const topic = mskEvent(records);
          const all = Object.values(topic.records).flat();

          const table = new InMemoryTable();
          const consume = analyticsConsumer({
            store: new DynamoDbAnalyticsStore(table.asClient(), 'analytics', { sleep: async () => undefined }),
            publisher: new RecordingPublisher(),
            partialBatchResponse: true,
            now: () => new Date(NOW),
          });

          let pending = all;
          for (let round = 0; pending.length > 0; round++) {
            expect(round).toBeLessThan(200);
            const batch = pending.slice(0, batchSizes[round % batchSizes.length]);
            // Throttled writes in the first rounds; then the table recovers, as it does.
            table.failNext = failures[round] ?? 0;
            const event: MSKEvent = { ...topic, records: {} };
            for (const r of batch) (event.records[`${r.topic}-${r.partition}`] ??= []).push(r);
            const { batchItemFailures } = await consume(event);
            const failed = new Set(
              batchItemFailures.map((f) => `${f.itemIdentifier.partition}@${f.itemIdentifier.offset}`),
            );
            // Processed records leave; failed ones go back to the front, in offset order.
            pending = [
              ...batch.filter((r) => failed.has(`${r.topic}-${r.partition}@${r.offset}`)),
              ...pending.slice(batch.length),
            ];
          }
          table.failNext = 0;
          await consume({ ...topic });

          const late = (c: Click) => NOW - Date.parse(c.timestamp) > ALLOWED_LATENESS_MS;
          expect(table.totals()).toMatchObject({
            clicks: clicks.length,
            ...(clicks.some(late) ? { late_clicks: clicks.filter(late).length } : {}),
          });
          for (const c of clicks) {
            const sameProduct = clicks.filter((o) => o.product_id === c.product_id);
            expect(table.get(ANALYTICS_KEYS.product(c.product_id))?.views).toBe(sameProduct.length);
            expect(table.get(ANALYTICS_KEYS.user(c.user_id))?.[RECENT_PRODUCT_PREFIX + c.product_id]).toBeDefined();
            if (late(c)) continue;
            const minute = minuteOf(Date.parse(c.timestamp));
            const inWindow = clicks.filter((o) => !late(o) && minuteOf(Date.parse(o.timestamp)) === minute);
            const window = table.minuteWindow(minute);
            expect(window?.views).toBe(inWindow.length);
            expect(window?.[PRODUCT_VIEWS_PREFIX + c.product_id]).toBe(
              inWindow.filter((o) => o.product_id === c.product_id).length,
            );
          }
          const processingMinute = table.minuteWindow(minuteOf(NOW));
          expect(processingMinute?.late ?? 0).toBe(clicks.filter(late).length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
