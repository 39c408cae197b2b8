import { composeEmail, type OrderChange } from '../../../../lambdas/notifications/notification';
import { TABLES, type TableId } from '../../../../lambdas/shared/contracts/tables';
import type { TopicName } from '../../../../lambdas/shared/contracts/topics';
import { analyticsProblems, analyticsReport, type AnalyticsApiView } from '../../../../local/lab/demo/analytics-report';
import { SnapshotView } from '../../../../local/lab/demo/invariants';
import type { TopicRecord } from '../../../../local/lab/demo/kafka-inspect';
import { notificationIdOfSubject, notificationsReport } from '../../../../local/lab/demo/notifications-report';
import type { PipelineSnapshot } from '../../../../local/lab/demo/snapshot';

/**
 * The run summary's analytics and notifications sections on hand-made topics and a hand-made
 * mailbox: what they count, and that a difference from the topics is reported, not hidden.
 */
function view(
  events: Partial<Record<TopicName, Record<string, unknown>[]>>,
  items: Partial<Record<TableId, Record<string, unknown>[]>> = {},
): SnapshotView {
  const records = new Map<TopicName, TopicRecord[]>(
    Object.entries(events).map(([topic, values]) => [
      topic as TopicName,
      values.map((value, offset) => ({
        topic,
        partition: 0,
        offset,
        timestamp: 0,
        key: null,
        value: JSON.stringify(value),
        headers: {},
      })),
    ]),
  );
  const tables = Object.fromEntries(
    Object.keys(TABLES).map((id) => [id, items[id as TableId] ?? []]),
  ) as unknown as PipelineSnapshot['tables'];
  const snapshot: PipelineSnapshot = {
    tables,
    records,
    endOffsets: new Map(),
    startOffsets: new Map(),
    committed: new Map(),
    archive: [],
  };
  return new SnapshotView(snapshot);
}

const click = (id: string, product: string, timestamp = '2026-01-01T10:30:10.000Z') => ({
  event_type: 'Click',
  event_id: id,
  user_id: 'u1',
  product_id: product,
  timestamp,
});

describe('analytics report', () => {
  const clicks = [
    click('e1', 'abc'),
    click('e2', 'abc'),
    click('e2', 'abc'), // the same click again (a producer retry)
    click('e3', 'def'),
    click('e4', 'zzz', '2026-01-01T08:00:00.000Z'), // before the window: late, in the totals only
  ];
  const noOrders = { PLACED: 0, PAID: 0, RESERVED: 0, SHIPPED: 0, PAYMENT_DECLINED: 0, CANCELLED: 0, REFUNDED: 0 };
  const api = (
    products: [string, number][],
    counted = 4,
    byStatus: Record<string, number> = noOrders,
    sent = 0,
  ): AnalyticsApiView => ({
    popular: {
      from: '2026-01-01T09:31',
      to: '2026-01-01T10:30',
      products: products.map(([product_id, window_views]) => ({ product_id, window_views })),
    },
    totals: { clicks: counted, late_clicks: 1 },
    orders: { by_status: byStatus },
    notifications: { sent },
  });

  it('GIVEN the API agrees with the topic WHEN reported THEN the top products match and nothing is a problem', () => {
    const report = analyticsReport(
      view({ clicks }),
      api([
        ['abc', 2],
        ['def', 1],
      ]),
      4,
    );

    expect(report).toEqual({
      clicksAccepted: 4,
      clicksProduced: 4,
      duplicates: 1,
      clicksCounted: 4,
      late: 1,
      topProducts: [
        { product_id: 'abc', views: 2 },
        { product_id: 'def', views: 1 },
      ],
      topProductsMatchTopic: true,
      summaryCounters: { matchTables: true, byStatus: noOrders, sent: 0 },
    });
    expect(analyticsProblems(report, { existingBroker: false })).toEqual([]);
  });

  it("GIVEN the summary's counters and the tables WHEN they agree THEN nothing is a problem; WHEN an order or an email is counted twice THEN that is one", () => {
    const tables = {
      orders: [{ order_id: 'o1', paid_at: 't', reserved_at: 't', shipped_at: 't' }, { order_id: 'o2' }],
      notifications: [
        { notification_id: 'o1#confirmed', status: 'sent' },
        { notification_id: 'o1#shipped', status: 'sending' },
      ],
    };
    const truth = { ...noOrders, SHIPPED: 1, PLACED: 1 };

    const agreeing = analyticsReport(view({}, tables), api([], 0, truth, 1));
    const counted = analyticsReport(view({}, tables), api([], 0, { ...truth, SHIPPED: 2 }, 2));

    expect(agreeing.summaryCounters).toEqual({ matchTables: true, byStatus: truth, sent: 1 });
    expect(analyticsProblems(agreeing, { existingBroker: false })).toEqual([]);
    expect(counted.summaryCounters.fromTables).toEqual({ byStatus: truth, sent: 1 });
    expect(analyticsProblems(counted, { existingBroker: false })).toEqual([
      expect.stringMatching(
        /^the summary's counters .*"SHIPPED":2.* 2 sent\) differ from the tables .*"SHIPPED":1.* 1 sent\)$/,
      ),
    ]);
  });

  it('GIVEN a click counted twice and a top list the topic disagrees with WHEN reported THEN both are problems', () => {
    const report = analyticsReport(
      view({ clicks }),
      api(
        [
          ['abc', 3],
          ['def', 1],
        ],
        5,
      ),
    );

    expect(report.topProductsMatchTopic).toBe(false);
    expect(report.topProductsFromTopic).toEqual([
      { product_id: 'abc', views: 2 },
      { product_id: 'def', views: 1 },
    ]);
    expect(analyticsProblems(report, { existingBroker: false })).toEqual([
      'analytics counted 5 clicks, the topic holds 4',
      'the top products of the analytics API differ from the topic',
    ]);
  });
});

describe('notifications report', () => {
  // What the SES v2 stand-in holds: the subjects the notification function composed.
  let mails: { subject: string }[];
  beforeEach(() => {
    mails = [];
  });
  const order = (orderId: string) =>
    ({ order_id: orderId, items: [], amount: 10, currency: 'USD' }) as unknown as Parameters<typeof composeEmail>[1];
  const mail = (_n: number, id: string) => {
    const [orderId, change] = id.split('#') as [string, OrderChange];
    mails.push({ subject: composeEmail({ order_id: orderId, change }, order(orderId), 'c@example.com').subject });
  };
  const topics = view({
    billing_outcome: [
      { event_type: 'BillingOutcome', event_id: 'b1', order_id: 'o1', payment_status: 'paid' },
      { event_type: 'BillingOutcome', event_id: 'b2', order_id: 'o2', payment_status: 'declined' },
      { event_type: 'BillingOutcome', event_id: 'b9', order_id: 'other-run', payment_status: 'paid' },
    ],
    inventory_outcome: [{ event_type: 'StockReserved', event_id: 'r1', order_id: 'o1' }],
    shipping: [
      { event_type: 'ShipmentCreated', event_id: 's0', order_id: 'o1' },
      { event_type: 'ShipmentDispatched', event_id: 's1', order_id: 'o1' },
    ],
  });

  it('GIVEN one email per order change WHEN reported THEN every expected change is sent, with no duplicates', () => {
    mail(1, 'o1#confirmed');
    mail(2, 'o2#payment_declined');
    mail(3, 'o1#shipped');

    const report = notificationsReport(topics, mails, new Set(['o1', 'o2']));

    expect(report).toMatchObject({ expected: 3, sent: 3, duplicates: 0, missing: [] });
    expect(report.byChange).toMatchObject({
      confirmed: { expected: 1, sent: 1 },
      payment_declined: { expected: 1, sent: 1 },
      shipped: { expected: 1, sent: 1 },
      refunded: { expected: 0, sent: 0 },
    });
  });

  it('GIVEN an email sent twice and one never sent WHEN reported THEN both show', () => {
    mail(1, 'o1#confirmed');
    mail(2, 'o1#confirmed');
    mail(3, 'o1#shipped');

    const report = notificationsReport(topics, mails, new Set(['o1', 'o2']));

    expect(report).toMatchObject({ expected: 3, sent: 2, duplicates: 1, missing: ['o2#payment_declined'] });
  });

  it('GIVEN a second email after a send recorded as unanswered and one without WHEN reported THEN only the first is explained', () => {
    const withRecords = view(
      {
        billing_outcome: [
          { event_type: 'BillingOutcome', event_id: 'b1', order_id: 'o1', payment_status: 'paid' },
          { event_type: 'BillingOutcome', event_id: 'b2', order_id: 'o2', payment_status: 'paid' },
        ],
      },
      {
        notifications: [
          { notification_id: 'o1#confirmed', status: 'sent', unanswered_sends: 1 },
          { notification_id: 'o2#confirmed', status: 'sent' },
        ],
      },
    );
    mail(1, 'o1#confirmed');
    mail(2, 'o1#confirmed');
    mail(3, 'o2#confirmed');
    mail(4, 'o2#confirmed');

    const report = notificationsReport(withRecords, mails, new Set(['o1', 'o2']));

    expect(report).toMatchObject({ expected: 2, sent: 2, duplicates: 2, duplicatesAfterUnansweredSend: 1 });
  });

  it('GIVEN an email whose subject is no notification of ours WHEN reported THEN it counts for nothing', () => {
    mails.push({ subject: 'Hello' }, { subject: 'Your order is confirmed (order )' });

    expect(notificationIdOfSubject('Your order is on its way (order o-1#x)')).toBe('o-1#x#shipped');
    expect(notificationsReport(topics, mails, new Set(['o1', 'o2']))).toMatchObject({ sent: 0, duplicates: 0 });
  });
});
