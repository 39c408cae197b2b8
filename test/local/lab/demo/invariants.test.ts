import type { ArchiveLine } from '../../../../lambdas/archive/archive-format';
import { SUBSCRIPTIONS } from '../../../../lambdas/shared/contracts/subscriptions';
import { ARCHIVED_TOPICS, TOPICS, type TopicName } from '../../../../lambdas/shared/contracts/topics';
import { checkInvariants, type InvariantId } from '../../../../local/lab/demo/invariants';
import type { TopicRecord } from '../../../../local/lab/demo/kafka-inspect';
import type { PipelineSnapshot } from '../../../../local/lab/demo/snapshot';

/**
 * The invariant checks on hand-made snapshots: a consistent run (one order shipped, one declined,
 * one refunded after running out of stock) passes every check, and each kind of damage is caught
 * by the invariant it breaks.
 */
const T = '2026-01-01T00:00:00.000Z';
const items = (product: string, quantity: number) => [{ product_id: product, quantity, unit_price: 10 }];

interface Fixture {
  tables: { [K in keyof PipelineSnapshot['tables']]: Record<string, unknown>[] };
  events: Partial<Record<TopicName, Record<string, unknown>[]>>;
  rawRecords: Partial<Record<TopicName, (string | null)[]>>;
  /** Records left out of the archive, archived twice (overlapping objects), or twice with different contents. */
  archive: { drop?: string[]; duplicate?: string[]; conflict?: string[] };
  /** Mapping groups that have not committed the end. */
  lagging: string[];
}

function consistentRun(): Fixture {
  return {
    tables: {
      orders: [
        { order_id: 'o-ship', paid_at: T, reserved_at: T, shipped_at: T },
        { order_id: 'o-declined', payment_declined_at: T },
        { order_id: 'o-refund', paid_at: T, cancelled_at: T, refunded_at: T },
      ],
      outbox: [],
      catalog: [],
      payments: [
        { order_id: 'o-ship', payment_status: 'paid' },
        { order_id: 'o-declined', payment_status: 'declined' },
        { order_id: 'o-refund', payment_status: 'paid', refunded_at: T },
      ],
      stock: [
        { product_id: 'abc', available: 8 },
        { product_id: 'restock#seed-abc', restock: { product_id: 'abc', quantity: 10 } },
      ],
      reservations: [
        { order_id: 'o-ship', status: 'reserved', items: items('abc', 2) },
        { order_id: 'o-refund', status: 'rejected', items: items('zzz', 1) },
      ],
      shipments: [],
      analytics: [],
      notifications: [],
    },
    events: {
      orders: ['o-ship', 'o-declined', 'o-refund'].map((id) => ({
        event_type: 'OrderCreated',
        event_id: `c-${id}`,
        order_id: id,
      })),
      billing_outcome: [
        { event_id: 'b1', order_id: 'o-ship', payment_status: 'paid', transaction_id: 't1' },
        { event_id: 'b1', order_id: 'o-ship', payment_status: 'paid', transaction_id: 't1' }, // re-emitted: same id
        { event_id: 'b2', order_id: 'o-declined', payment_status: 'declined', transaction_id: 't2' },
        { event_id: 'b3', order_id: 'o-refund', payment_status: 'paid', transaction_id: 't3' },
        { event_id: 'b4', order_id: 'o-refund', payment_status: 'refunded', transaction_id: 't4' },
      ],
      inventory: [
        { event_type: 'StockChanged', event_id: 's0', product_id: 'abc', quantity_change: 10 },
        { event_type: 'StockChanged', event_id: 's1', product_id: 'abc', quantity_change: -2, order_id: 'o-ship' },
      ],
      shipping: [{ event_type: 'ShipmentDispatched', event_id: 'd1', order_id: 'o-ship' }],
      dead_letter: [
        {
          event_type: 'DeadLetter',
          event_id: 'dl1',
          timestamp: T,
          consumer: 'billing',
          reason: 'not JSON',
          source: { topic: 'orders', partition: 0, offset: 3, timestamp: 0, key: null, value: 'eA==' },
        },
      ],
    },
    rawRecords: { orders: ['x'] },
    archive: {},
    lagging: [],
  };
}

/** What the runner's Kafka on-failure destination writes (local/runtime/runner/on-failure.ts), trimmed to what is read. */
function onFailureRecord(): Record<string, unknown> {
  return {
    requestContext: {
      requestId: null,
      functionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:billing:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 4,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: T,
    KafkaBatchInfo: { batchSize: 1, recordInfo: { offset: '3', timestamp: T } },
    payload: { records: { 'orders-0': [{ topic: 'orders', partition: 0, offset: 3 }] } },
  };
}

function snapshotOf(fixture: Fixture): PipelineSnapshot {
  const records = new Map<TopicName, TopicRecord[]>();
  for (const topic of Object.values(TOPICS).map((t) => t.name)) {
    const values = [
      ...(fixture.events[topic] ?? []).map((e) => JSON.stringify(e)),
      ...(fixture.rawRecords[topic] ?? []),
    ];
    // Everything on partition 0: enough for the checks, which do not depend on the partitioning.
    records.set(
      topic,
      values.map((value, offset) => ({ topic, partition: 0, offset, timestamp: 0, key: null, value, headers: {} })),
    );
  }
  const endOffsets = new Map([...records].map(([topic, rs]) => [topic as string, [rs.length]]));
  const lines: ArchiveLine[] = [];
  for (const topic of ARCHIVED_TOPICS) {
    for (const record of records.get(topic) ?? []) {
      const id = `${topic}-0@${record.offset}`;
      if (fixture.archive.drop?.includes(id)) continue;
      const line = { ...record, timestamp_type: 'CREATE_TIME', headers: [], decoded: {} } as unknown as ArchiveLine;
      lines.push(line);
      if (fixture.archive.duplicate?.includes(id)) lines.push(line);
      if (fixture.archive.conflict?.includes(id)) lines.push({ ...line, value: 'b3RoZXI=' });
    }
  }
  const committed = new Map<string, Map<string, number>>();
  for (const s of SUBSCRIPTIONS) {
    const end = endOffsets.get(s.topic)?.[0] ?? 0;
    const group = committed.get(s.consumerGroupId) ?? new Map<string, number>();
    group.set(`${s.topic}-0`, fixture.lagging.includes(s.consumerGroupId) ? Math.max(0, end - 1) : end);
    committed.set(s.consumerGroupId, group);
  }
  return {
    tables: fixture.tables,
    records,
    endOffsets,
    startOffsets: new Map(),
    committed,
    archive: [{ key: 'all.jsonl.gz', lines }],
  };
}

function failing(fixture: Fixture): InvariantId[] {
  return checkInvariants(snapshotOf(fixture))
    .filter((r) => !r.holds)
    .map((r) => r.id);
}

describe('invariant checks', () => {
  it('GIVEN a consistent run WHEN checked THEN I1 to I6 hold', () => {
    const results = checkInvariants(snapshotOf(consistentRun()));

    expect(results.map((r) => [r.id, r.holds, r.violations])).toEqual(
      ['I1', 'I2', 'I3', 'I4', 'I5', 'I6'].map((id) => [id, true, []]),
    );
  });

  it('GIVEN an order charged under two transactions WHEN checked THEN I1 fails', () => {
    const run = consistentRun();
    run.events.billing_outcome!.push({
      event_id: 'b9',
      order_id: 'o-ship',
      payment_status: 'paid',
      transaction_id: 't9',
    });

    expect(failing(run)).toEqual(['I1']);
  });

  it('GIVEN a refund of a declined payment WHEN checked THEN I1 fails', () => {
    const run = consistentRun();
    run.tables.payments[1]!.refunded_at = T;

    expect(failing(run)).toContain('I1');
  });

  it('GIVEN stock below zero or not matching the reservations WHEN checked THEN I2 fails', () => {
    const negative = consistentRun();
    negative.tables.stock[0]!.available = -1;
    const leaked = consistentRun();
    leaked.tables.stock[0]!.available = 7;

    expect(failing(negative)).toEqual(['I2']);
    expect(failing(leaked)).toEqual(['I2']);
  });

  it('GIVEN a shipped order without reserved stock WHEN checked THEN I3 fails', () => {
    const run = consistentRun();
    run.tables.reservations[0]!.status = 'rejected';

    expect(failing(run)).toContain('I3');
  });

  it('GIVEN an order still PAID, or both shipped and refunded WHEN checked THEN I4 fails', () => {
    const pending = consistentRun();
    pending.tables.orders.push({ order_id: 'o-paid', paid_at: T });
    const twice = consistentRun();
    twice.tables.orders[0]!.refunded_at = T;

    expect(failing(pending)).toEqual(['I4']);
    expect(failing(twice)).toContain('I4');
  });

  it('GIVEN a record missing from the archive, or archived twice with different contents WHEN checked THEN I5 fails', () => {
    const missing = consistentRun();
    missing.archive.drop = ['billing_outcome-0@2'];
    const conflicting = consistentRun();
    conflicting.archive.conflict = ['orders-0@0'];

    expect(failing(missing)).toEqual(['I5']);
    expect(failing(conflicting)).toEqual(['I5']);
  });

  it('GIVEN a record in two overlapping archive objects WHEN checked THEN I5 counts it once and holds', () => {
    const twice = consistentRun();
    twice.archive.duplicate = ['orders-0@0', 'billing_outcome-0@2'];

    expect(failing(twice)).toEqual([]);
  });

  it('GIVEN a dead letter without a reason, or a mapping behind the end of its topic WHEN checked THEN I6 fails', () => {
    const reasonless = consistentRun();
    reasonless.events.dead_letter![0]!.reason = '';
    const stuck = consistentRun();
    stuck.lagging = ['billing.orders'];

    expect(failing(reasonless)).toEqual(['I6']);
    expect(failing(stuck)).toEqual(['I6']);
  });

  it('GIVEN a cancelled order whose refund the provider refused for good WHEN checked THEN I4 leaves it to the operator; cancelled without that record fails I4', () => {
    const refused = consistentRun();
    refused.tables.orders.push({ order_id: 'o-refused', paid_at: T, cancelled_at: T });
    refused.tables.payments.push({ order_id: 'o-refused', payment_status: 'paid', refund_status: 'refund_failed' });
    const stranded = consistentRun();
    stranded.tables.orders.push({ order_id: 'o-stranded', paid_at: T, cancelled_at: T });
    stranded.tables.payments.push({
      order_id: 'o-stranded',
      payment_status: 'paid',
      refund_status: 'refund_requested',
    });

    expect(failing(refused)).toEqual([]);
    expect(failing(stranded)).toEqual(['I4']);
  });

  it('GIVEN a placed order whose charge claim the reconciler left to an operator WHEN checked with it as an operator case THEN I4 holds; without THEN it fails', () => {
    const claimed = consistentRun();
    claimed.tables.orders.push({ order_id: 'o-claimed' });
    claimed.tables.payments.push({ order_id: 'o-claimed', payment_status: 'charge_requested' });
    const i4 = (operatorCases: string[]) =>
      checkInvariants(snapshotOf(claimed), { operatorCases }).find((r) => r.id === 'I4')!.holds;

    expect(i4(['o-claimed'])).toBe(true);
    expect(i4([])).toBe(false);
  });

  it("GIVEN Lambda's on-failure record on the dead-letter topic WHEN checked THEN I6 holds; a record of neither shape still fails it", () => {
    const givenUp = consistentRun();
    givenUp.events.dead_letter!.push(onFailureRecord());
    const stranger = consistentRun();
    stranger.events.dead_letter!.push({ ...onFailureRecord(), requestContext: undefined });
    const notJson = consistentRun();
    notJson.rawRecords.dead_letter = ['not json'];

    expect(failing(givenUp)).toEqual([]);
    expect(failing(stranger)).toEqual(['I6']);
    expect(failing(notJson)).toEqual(['I6']);
  });
});
