import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIMULATED_PROVIDER_LOG_MESSAGE } from '../../../../lambdas/billing/adapters/simulated-payment-provider';
import { SUBSCRIPTIONS } from '../../../../lambdas/shared/contracts/subscriptions';
import { TOPICS, type TopicName } from '../../../../lambdas/shared/contracts/topics';
import { sesEmails, type SesEmail } from '../../../runtime/services';
import { readDeadLetter, REDRIVEN_FROM_HEADER, type DeadLetterEntry } from '../../console/dead-letters';
import { waitForConsumers } from '../consumer-lag';
import type { DemoCloud } from '../demo-run';
import { SnapshotView } from '../invariants';
import type { TopicRecord } from '../kafka-inspect';
import { expectedNotifications, notificationIdOfSubject } from '../notifications-report';
import { getOrders, type AcceptedOrder } from '../order-client';
import type { PlannedOutcome } from '../order-generator';
import { takeSnapshot, type PipelineSnapshot } from '../snapshot';
import { summarize, type RunSummary } from '../summary';
import { CONSUMED_TOPICS, KAFKA_CONSUMERS, type ChaosPlan } from './plan';
import type { Recovery } from './recover';
import type { ChaosEmails, ChaosFault, ChaosReport, TopicRecordBalance } from './report';

/** What the run did before the check: its orders, its faults and what came back. */
export interface ChaosRunRecord {
  readonly started: number;
  readonly accepted: readonly AcceptedOrder[];
  readonly refused: readonly string[];
  readonly faults: readonly ChaosFault[];
  readonly retryBudget: ChaosReport['retryBudget'];
  /** When the send log could not be written: the DynamoDB outage. */
  readonly outage: { readonly from: number; readonly to: number };
  readonly recovery: Recovery;
}

/**
 * The run summed up: every consumer at the end of its topics, then the tables, topics, archive and
 * mailbox read once, and the invariants, the record balance, the provider's statement and I8 on
 * the mailbox checked against them.
 */
export async function verify(
  demo: DemoCloud,
  plan: ChaosPlan,
  run: ChaosRunRecord,
  deadline: number,
  log: (line: string) => void,
): Promise<RunSummary> {
  const { cloud } = demo;
  const { services } = cloud;
  const { recovery } = run;
  log('Waiting for every consumer to reach the end of its topics...');
  const lag = await waitForConsumers(services.kafkaBootstrap, KAFKA_CONSUMERS, {
    timeoutMs: Math.max(30_000, deadline - Date.now()),
  });
  log('Collecting the summary (tables, topics, archive, mailbox, provider statement)...');
  const snapshot = await takeSnapshot(services);
  const views = await getOrders(cloud.api.url, [...recovery.waited]);
  const payment = snapshot.tables.payments.find((p) => p.order_id === plan.refusedRefundOrderId);
  const [order] = await getOrders(cloud.api.url, [plan.refusedRefundOrderId]);
  const notificationsFn = cloud.assembly.functions.find((f) => f.id === 'notifications');
  const report: ChaosReport = {
    faults: run.faults,
    retryBudget: run.retryBudget,
    redrive: recovery.redrive,
    outboxSweep: recovery.outboxSweep,
    records: recordBalance(snapshot),
    provider: providerStatement(join(services.workDir, 'functions.log')),
    needsOperator: recovery.needsOperator,
    refusedRefund: {
      orderId: plan.refusedRefundOrderId,
      refundStatus: payment?.refund_status as string | undefined,
      orderStatus: order?.status,
    },
    emails: chaosEmails(
      new SnapshotView(snapshot),
      await sesEmails(services.sesEndpoint),
      new Set(run.accepted.map((o) => o.order_id)),
      // A send just before the outage may find the log down until its invocation ends.
      { from: run.outage.from - (notificationsFn?.timeoutSeconds ?? 0) * 1000, to: run.outage.to },
    ),
    durationMs: Date.now() - run.started,
  };
  const problems = [...run.refused];
  const { pending } = recovery;
  if (pending.length) problems.push(`${pending.length} orders not terminal: ${pending.slice(0, 5).join(', ')}`);
  const notTerminal = views.filter((v) => !v.terminal);
  if (notTerminal.length && !pending.length)
    problems.push(`GET /orders/{id} reports ${notTerminal.length} orders not terminal`);
  if (lag.lag > 0) problems.push(`${lag.lag} records left uncommitted by ${lag.groups.join(', ')}`);
  const planned = new Map<string, PlannedOutcome>(
    run.accepted.flatMap((o) => (o.planned ? [[o.order_id, o.planned] as const] : [])),
  );
  return summarize({
    snapshot,
    sent: plan.orders.length,
    refused: run.refused.length,
    acceptedOrderIds: run.accepted.map((o) => o.order_id),
    operatorCases: recovery.needsOperator.map((c) => c.orderId),
    planned,
    mappings: cloud.runner.stats().mappings,
    enforcement: cloud.runner.stats().enforcement,
    timing: { startup: cloud.startup, startupMs: demo.startupMs },
    chaos: report,
    problems,
  });
}

/**
 * I8 on the mailbox: the order changes the topics announce for `orderIds`, each emailed once; a
 * second email counts apart when its order change's first email went out inside `crashWindow`, or
 * when a send that got no answer is recorded for it.
 */
export function chaosEmails(
  view: SnapshotView,
  emails: readonly Pick<SesEmail, 'subject' | 'at'>[],
  orderIds: ReadonlySet<string>,
  crashWindow: { readonly from: number; readonly to: number },
): ChaosEmails {
  const sentAt = new Map<string, number[]>();
  for (const email of emails) {
    const id = notificationIdOfSubject(email.subject);
    if (id === undefined) continue;
    const times = sentAt.get(id) ?? [];
    times.push(email.at * 1000);
    sentAt.set(id, times);
  }
  const expected = expectedNotifications(view, orderIds);
  const unanswered = view.unansweredSends();
  const missing: string[] = [];
  const outside: string[] = [];
  let duplicates = 0;
  let inWindow = 0;
  let afterUnanswered = 0;
  for (const id of expected) {
    const times = sentAt.get(id) ?? [];
    if (times.length === 0) missing.push(id);
    if (times.length < 2) continue;
    duplicates += times.length - 1;
    // The stand-in's times are whole seconds: a second either side of the window is its.
    const first = Math.min(...times);
    if (first >= crashWindow.from - 1_000 && first <= crashWindow.to + 1_000) inWindow += times.length - 1;
    else if ((unanswered.get(id) ?? 0) >= times.length - 1) afterUnanswered += times.length - 1;
    else outside.push(id);
  }
  return {
    expected: expected.length,
    sent: expected.length - missing.length,
    duplicates,
    duplicatesInCrashWindow: inWindow,
    duplicatesAfterUnansweredSend: afterUnanswered,
    duplicatedOutsideWindow: outside.slice(0, 5),
    missing: missing.slice(0, 5),
  };
}

const positionKey = (p: { topic: string; partition: number; offset: number }) =>
  `${p.topic}/${p.partition}/${p.offset}`;

/**
 * Per consumed topic: in = processed + deadLettered holds when every record was processed by every
 * consumer (itself or through its re-driven copy) or dead-lettered as poison, and no group lags.
 */
export function recordBalance(snapshot: PipelineSnapshot): Partial<Record<TopicName, TopicRecordBalance>> {
  const entries: DeadLetterEntry[] = [];
  for (const record of snapshot.records.get(TOPICS.deadLetter.name) ?? []) {
    const entry = readDeadLetter(record.topic, {
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      value: record.value === null ? null : Buffer.from(record.value),
    });
    if ('shape' in entry) entries.push(entry);
  }
  const poison = new Set(entries.filter((e) => e.shape === 'function').map((e) => positionKey(e.source)));
  const givenUp = new Set(entries.filter((e) => e.shape === 'lambda').map((e) => positionKey(e.source)));
  const sourceOfMark = new Map(entries.map((e) => [positionKey(e.deadLetter), positionKey(e.source)]));

  const balance: Partial<Record<TopicName, TopicRecordBalance>> = {};
  for (const topic of CONSUMED_TOPICS) {
    const groups = [...new Set(SUBSCRIPTIONS.filter((s) => s.topic === topic).map((s) => s.consumerGroupId))];
    const starts = snapshot.startOffsets.get(topic) ?? [];
    const ends = snapshot.endOffsets.get(topic) ?? [];
    const committedBy = (partition: number) =>
      Math.min(...groups.map((g) => snapshot.committed.get(g)?.get(`${topic}-${partition}`) ?? 0));
    let lag = 0;
    ends.forEach((end, partition) => {
      for (const g of groups) {
        lag += end - Math.max(starts[partition] ?? 0, snapshot.committed.get(g)?.get(`${topic}-${partition}`) ?? 0);
      }
    });
    const records = snapshot.records.get(topic) ?? [];
    const committed = (r: TopicRecord) => r.offset < committedBy(r.partition);
    const copies = records.filter((r) => r.headers[REDRIVEN_FROM_HEADER] !== undefined);
    const rescued = new Set<string>();
    for (const copy of copies) {
      const key = positionKey(copy);
      if (!committed(copy) || poison.has(key) || givenUp.has(key)) continue;
      for (const mark of copy.headers[REDRIVEN_FROM_HEADER]!.split(',')) {
        const source = sourceOfMark.get(mark);
        if (source) rescued.add(source);
      }
    }
    const originals = records.filter((r) => r.headers[REDRIVEN_FROM_HEADER] === undefined);
    let processed = 0;
    let deadLettered = 0;
    let givenUpNotRedriven = 0;
    for (const record of originals) {
      const key = positionKey(record);
      if (poison.has(key)) deadLettered++;
      else if (givenUp.has(key) && !rescued.has(key)) givenUpNotRedriven++;
      else if (committed(record)) processed++;
    }
    balance[topic] = {
      in: originals.length,
      processed,
      deadLettered,
      redriven: copies.length,
      givenUpNotRedriven,
      lag,
    };
  }
  return balance;
}

/** Reads the simulated provider's statement from the functions' log: requests per idempotency key. */
export function providerStatement(functionLog: string): ChaosReport['provider'] {
  let text = '';
  try {
    text = readFileSync(functionLog, 'utf8');
  } catch {
    // No log: no statement; the checks below then find no requests.
  }
  const charges = new Map<string, number>();
  const refusedRefunds: string[] = [];
  let chargeRequests = 0;
  let refundRequests = 0;
  for (const line of text.split('\n')) {
    if (!line.includes(SIMULATED_PROVIDER_LOG_MESSAGE)) continue;
    let entry: { operation?: string; idempotency_key?: string; outcome?: string; new_request?: boolean };
    try {
      entry = JSON.parse(line.slice(line.indexOf('{'))) as typeof entry;
    } catch {
      continue;
    }
    const key = String(entry.idempotency_key);
    if (entry.operation === 'charge') {
      chargeRequests++;
      if (entry.new_request) charges.set(key, (charges.get(key) ?? 0) + 1);
    } else if (entry.operation === 'refund') {
      refundRequests++;
      if (entry.outcome === 'refused' && !refusedRefunds.includes(key)) refusedRefunds.push(key);
    }
  }
  return {
    chargeRequests,
    refundRequests,
    chargedMoreThanOnce: [...charges].filter(([, n]) => n > 1).map(([key]) => key),
    refusedRefunds,
  };
}
