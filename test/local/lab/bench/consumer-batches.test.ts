import { compatibilityPartitioner } from '@platformatic/kafka';
import type { MSKRecord } from 'aws-lambda';
import { TOPIC_SCHEMAS, type BillingOutcome } from '../../../../lambdas/shared/contracts/events';
import { TOPICS } from '../../../../lambdas/shared/contracts/topics';
import {
  benchRecords,
  consumerBatch,
  DUPLICATE_EVERY,
  freshEventsFor,
} from '../../../../local/lab/bench/consumer-batches';

const NOW = new Date('2026-11-29T08:00:00.000Z');
const decode = (field: string | null | undefined) => Buffer.from(field ?? '', 'base64').toString('utf8');
const valueOf = (record: MSKRecord) => JSON.parse(decode(record.value)) as { event_id: string; order_id: string };

function outcome(n: number): BillingOutcome {
  return {
    event_type: 'BillingOutcome',
    event_id: `event-${n}`,
    timestamp: NOW.toISOString(),
    order_id: `order-${n}`,
    payment_status: 'paid',
    transaction_id: `transaction-${n}`,
    amount: 10,
    currency: 'USD',
    items: [{ product_id: 'abc', quantity: 1, unit_price: 10 }],
  };
}

describe('bench consumer batches', () => {
  const events = Array.from({ length: freshEventsFor(200) }, (_, n) => outcome(n));
  const records = benchRecords(TOPICS.billingOutcome.name, events, 200, {
    firstOffset: 1_000,
    timestamp: NOW.getTime(),
    random: () => 0.5,
  });

  it('GIVEN distinct events WHEN a batch is built THEN each record sits on the partition the producer picks for its key, and all partitions are used', () => {
    expect(records).toHaveLength(200);
    for (const record of records) {
      expect(decode(record.key)).toBe(valueOf(record).order_id);
      const expected = compatibilityPartitioner(undefined as never, Buffer.from(decode(record.key))) % 6;
      expect(record.partition).toBe(expected);
      expect(record.topic).toBe(TOPICS.billingOutcome.name);
    }
    expect(new Set(records.map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });

  it('GIVEN a batch WHEN its partitions are read THEN offsets run from the first offset, one by one, in each partition', () => {
    for (let partition = 0; partition < 6; partition++) {
      const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, n) => 1_000 + n));
    }
  });

  it('GIVEN a batch WHEN every tenth record is read THEN it repeats an earlier record of the same key, and the others are each event once', () => {
    const repeats = records.map((record, index) => {
      const earlier = records.slice(0, index).find((r) => r.value === record.value);
      return earlier && { sameKey: earlier.key === record.key, samePartition: earlier.partition === record.partition };
    });
    const expected = records.map((_, index) =>
      (index + 1) % DUPLICATE_EVERY === 0 ? { sameKey: true, samePartition: true } : undefined,
    );
    expect(repeats).toEqual(expected);
    const fresh = records.filter((_, index) => (index + 1) % DUPLICATE_EVERY !== 0).map((r) => valueOf(r).event_id);
    expect(fresh).toEqual(events.map((e) => e.event_id));
  });

  it('GIVEN too few distinct events WHEN a batch is built THEN it fails instead of repeating more', () => {
    expect(() =>
      benchRecords(TOPICS.billingOutcome.name, events.slice(1), 200, { firstOffset: 0, timestamp: 0, random: () => 0 }),
    ).toThrow(/need 180 distinct events; got 179/);
  });

  it.each(['billing', 'inventory', 'shipping', 'orderStatus'] as const)(
    'GIVEN the %s consumer WHEN its batch is built THEN every record is a valid event of its topic, of the batch orders',
    (consumer) => {
      const batch = consumerBatch(consumer, 100, 'test', NOW);
      const orderIds = new Set(batch.orders.map((o) => o.order.order_id));

      expect(batch.records).toHaveLength(100);
      expect(orderIds.size).toBe(freshEventsFor(100));
      for (const record of batch.records) {
        const event = TOPIC_SCHEMAS[record.topic as keyof typeof TOPIC_SCHEMAS].parse(JSON.parse(decode(record.value)));
        expect(orderIds.has((event as { order_id: string }).order_id)).toBe(true);
      }
    },
  );

  it('GIVEN the paid-only consumers WHEN their batches are built THEN no declined outcome is in them, as their filter lets none through', () => {
    for (const consumer of ['inventory', 'shipping'] as const) {
      const statuses = consumerBatch(consumer, 100, 'test', NOW).records.map(
        (r) => (JSON.parse(decode(r.value)) as BillingOutcome).payment_status,
      );
      expect(new Set(statuses)).toEqual(new Set(['paid']));
    }
    const projected = consumerBatch('orderStatus', 100, 'test', NOW).records.map(
      (r) => (JSON.parse(decode(r.value)) as BillingOutcome).payment_status,
    );
    expect(new Set(projected)).toEqual(new Set(['paid', 'declined']));
  });

  it('GIVEN two seeds WHEN batches are built THEN they share no order, so the baseline meets no order already processed', () => {
    const first = consumerBatch('billing', 100, 'loop', NOW).orders.map((o) => o.order.order_id);
    const second = new Set(consumerBatch('billing', 100, 'sequential', NOW).orders.map((o) => o.order.order_id));

    expect(first.filter((id) => second.has(id))).toEqual([]);
  });
});
