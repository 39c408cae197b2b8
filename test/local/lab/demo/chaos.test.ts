import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIMULATED_PROVIDER_LOG_MESSAGE } from '../../../../lambdas/billing/adapters/simulated-payment-provider';
import { SUBSCRIPTIONS } from '../../../../lambdas/shared/contracts/subscriptions';
import { composeEmail, type ChangeNotice } from '../../../../lambdas/notifications/notification';
import type { Order } from '../../../../lambdas/shared/orders/order';
import { chaosEmails, providerStatement, recordBalance } from '../../../../local/lab/demo/chaos';
import { THROTTLING, throttlingRules } from '../../../../local/lab/demo/chaos/plan';
import { SnapshotView } from '../../../../local/lab/demo/invariants';
import type { TopicRecord } from '../../../../local/lab/demo/kafka-inspect';
import type { PipelineSnapshot } from '../../../../local/lab/demo/snapshot';

/**
 * The chaos run's own checks on hand-made inputs: the record balance of a topic (a poison record,
 * a record given up and re-driven, or given up and left), the provider's statement, and I8 on the
 * mailbox with the outage's crash window.
 */
const record = (topic: string, offset: number, value: unknown, headers: Record<string, string> = {}): TopicRecord => ({
  topic,
  partition: 0,
  offset,
  timestamp: 0,
  key: 'k',
  value: JSON.stringify(value),
  headers,
});

const poisonLetter = {
  event_type: 'DeadLetter',
  event_id: 'dl-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  consumer: 'billing',
  reason: 'not JSON',
  source: { topic: 'orders', partition: 0, offset: 0, timestamp: 0, key: null, value: null },
};
const givenUpLetter = {
  requestContext: { functionArn: 'arn:aws:lambda:eu-west-1:0:function:billing', condition: 'RetriesExhausted' },
  KafkaBatchInfo: { recordInfo: { offset: '2' } },
  payload: { records: { 'orders-0': [{ topic: 'orders', partition: 0, offset: 2 }] } },
};

function snapshot(orders: TopicRecord[]): PipelineSnapshot {
  const committed = new Map<string, Map<string, number>>();
  for (const s of SUBSCRIPTIONS) {
    committed.set(s.consumerGroupId, new Map([[`${s.topic}-0`, s.topic === 'orders' ? orders.length : 0]]));
  }
  return {
    tables: {} as PipelineSnapshot['tables'],
    records: new Map([
      ['orders', orders],
      ['dead_letter', [record('dead_letter', 0, poisonLetter), record('dead_letter', 1, givenUpLetter)]],
    ]),
    endOffsets: new Map([['orders', [orders.length]]]),
    startOffsets: new Map(),
    committed,
    archive: [],
  };
}

const originals = [record('orders', 0, 'poison'), record('orders', 1, { ok: 1 }), record('orders', 2, { ok: 2 })];

describe('recordBalance', () => {
  it('GIVEN a poison record and a given-up record re-driven and processed WHEN balanced THEN in = processed + dead-lettered', () => {
    const copy = record('orders', 3, { ok: 2 }, { 'redriven-from': 'dead_letter/0/1' });

    expect(recordBalance(snapshot([...originals, copy])).orders).toEqual({
      in: 3,
      processed: 2,
      deadLettered: 1,
      redriven: 1,
      givenUpNotRedriven: 0,
      lag: 0,
    });
  });

  it('GIVEN a given-up record never re-driven WHEN balanced THEN it is neither processed nor dead-lettered', () => {
    const balance = recordBalance(snapshot(originals)).orders!;

    expect(balance).toMatchObject({ in: 3, processed: 1, deadLettered: 1, givenUpNotRedriven: 1 });
    expect(balance.in).not.toBe(balance.processed + balance.deadLettered);
  });
});

describe('providerStatement', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-statement-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a key the provider took as new twice WHEN read THEN the order is charged more than once; a remembered replay is not', () => {
    const line = (entry: object) =>
      `[billing] ${JSON.stringify({ level: 'INFO', message: SIMULATED_PROVIDER_LOG_MESSAGE, ...entry })}`;
    const log = join(dir, 'functions.log');
    writeFileSync(
      log,
      [
        line({ operation: 'charge', idempotency_key: 'o-1', new_request: true, outcome: 'paid' }),
        line({ operation: 'charge', idempotency_key: 'o-1', new_request: false, outcome: 'paid' }),
        line({ operation: 'charge', idempotency_key: 'o-2', new_request: true, outcome: 'paid' }),
        line({ operation: 'charge', idempotency_key: 'o-2', new_request: true, outcome: 'paid' }),
        line({ operation: 'refund', idempotency_key: 'o-3:refund', new_request: true, outcome: 'refused' }),
        '[billing] unrelated line',
      ].join('\n'),
    );

    expect(providerStatement(log)).toEqual({
      chargeRequests: 4,
      refundRequests: 1,
      chargedMoreThanOnce: ['o-2'],
      refusedRefunds: ['o-3:refund'],
    });
  });
});

describe('chaosEmails', () => {
  const outcome = (offset: number, order_id: string, payment_status: string) =>
    record('billing_outcome', offset, {
      event_type: 'BillingOutcome',
      event_id: `e-${offset}`,
      order_id,
      payment_status,
    });
  /** Three outcomes on billing_outcome, and the notification records given. */
  const viewWith = (notifications: Record<string, unknown>[]) =>
    new SnapshotView({
      ...snapshot([]),
      tables: { orders: [], payments: [], reservations: [], notifications } as unknown as PipelineSnapshot['tables'],
      records: new Map([
        ['billing_outcome', [outcome(0, 'o-1', 'paid'), outcome(1, 'o-2', 'paid'), outcome(2, 'o-3', 'declined')]],
      ]),
    });
  const view = viewWith([]);
  const order = (id: string) => ({ order_id: id, items: [], amount: 1, currency: 'USD' }) as unknown as Order;
  const email = (notice: ChangeNotice, atSeconds: number) => ({
    subject: composeEmail(notice, order(notice.order_id), 'x@example.com').subject,
    at: atSeconds,
  });
  const orders = new Set(['o-1', 'o-2', 'o-3']);
  const window = { from: 100_000, to: 200_000 };

  it('GIVEN a second email whose first went out in the crash window and one outside it WHEN checked THEN only the one outside breaks I8', () => {
    const emails = [
      email({ order_id: 'o-1', change: 'confirmed' }, 150),
      email({ order_id: 'o-1', change: 'confirmed' }, 260),
      email({ order_id: 'o-2', change: 'confirmed' }, 300),
      email({ order_id: 'o-2', change: 'confirmed' }, 301),
      email({ order_id: 'o-3', change: 'payment_declined' }, 50),
    ];

    expect(chaosEmails(view, emails, orders, window)).toEqual({
      expected: 3,
      sent: 3,
      duplicates: 2,
      duplicatesInCrashWindow: 1,
      duplicatesAfterUnansweredSend: 0,
      duplicatedOutsideWindow: ['o-2#confirmed'],
      missing: [],
    });
  });

  it('GIVEN a second email outside the window after a send recorded as unanswered WHEN checked THEN it is explained, not a break of I8', () => {
    const recorded = viewWith([{ notification_id: 'o-2#confirmed', status: 'sent', unanswered_sends: 1 }]);
    const emails = [
      email({ order_id: 'o-2', change: 'confirmed' }, 300),
      email({ order_id: 'o-2', change: 'confirmed' }, 301),
    ];

    expect(chaosEmails(recorded, emails, orders, window)).toMatchObject({
      duplicates: 1,
      duplicatesInCrashWindow: 0,
      duplicatesAfterUnansweredSend: 1,
      duplicatedOutsideWindow: [],
    });
  });

  it('GIVEN an announced change without an email and emails of other orders WHEN checked THEN it is missing and the others are not counted', () => {
    const emails = [
      email({ order_id: 'o-1', change: 'confirmed' }, 10),
      email({ order_id: 'o-9', change: 'shipped' }, 10),
    ];

    expect(chaosEmails(view, emails, new Set(['o-1', 'o-2']), window)).toMatchObject({
      expected: 2,
      sent: 1,
      duplicates: 0,
      missing: ['o-2#confirmed'],
    });
  });
});

describe('throttlingRules', () => {
  it('GIVEN a send follows a claim on the table WHEN both throttle in bursts THEN SES throttles while the table serves', () => {
    const [ses, table] = throttlingRules(1_000);
    const cycle = THROTTLING.bursts.onMs + THROTTLING.bursts.offMs;
    expect(table!.from).toBe(1_000);
    // SES's bursts start where the table's end: its on-phase lies in the table's off-phase.
    expect((ses!.from! - table!.from!) % cycle).toBe(THROTTLING.bursts.onMs);
    expect(ses!.until! - ses!.from!).toBe(table!.until! - table!.from!);
  });
});
