import { deadLetterCount } from '../../../lambdas/analytics/dead-letters';
import type { HopSummary } from '../../runtime/runner/hops';
import type { EnforcementStats } from '../../runtime/runner/enforcement/gateway';
import type { MappingStats } from '../../runtime/runner/kafka-poller';
import { archivedRecords } from '../../../lambdas/archive/archive-format';
import { readDeadLetter } from '../console/dead-letters';
import { ORDER_STATUSES, type OrderStatus } from '../../../lambdas/shared/orders/order-status';
import { TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { checkInvariants, SnapshotView, type InvariantOptions, type InvariantResult } from './invariants';
import { formatSeconds } from '../format';
import type { PlannedOutcome } from './order-generator';
import { analyticsProblems, type AnalyticsReport } from './analytics-report';
import type { FailoverReport } from './broker-failover';
import type { ChaosReport } from './chaos/report';
import type { MinInsyncProbeReport } from './min-insync-probe';
import type { NotificationsReport } from './notifications-report';
import type { CloudStartup } from './local-cloud';
import type { PipelineSnapshot } from './snapshot';

/** What `npm run local` prints at the end of a run, and writes with --summary-json. */
export interface RunSummary {
  readonly ok: boolean;
  readonly orders: {
    readonly sent: number;
    readonly accepted: number;
    readonly refused: number;
    readonly byStatus: Readonly<Partial<Record<OrderStatus, number>>>;
    /** Planned outcome -> final status -> count (generated orders only). */
    readonly byPlan: Readonly<Partial<Record<PlannedOutcome, Partial<Record<OrderStatus, number>>>>>;
  };
  /** Records per topic (sum of the partitions' end offsets). */
  readonly topics: Readonly<Partial<Record<TopicName, number>>>;
  readonly deadLetters: {
    readonly count: number;
    /** Of `count`: records Lambda gave up only for being behind a failed one (analytics' rule, deadLetterCount). */
    readonly givenUpBehind?: number;
    readonly reasons: readonly { readonly consumer: string; readonly reason: string; readonly count: number }[];
  };
  /** records: distinct by topic, partition and offset; lines: read, copies in overlapping objects included. */
  readonly archive: { readonly objects: number; readonly records: number; readonly lines: number };
  readonly mappings?: readonly MappingSummary[];
  /** Per mapping, where its records spent their time over the run (the runner's hop samples). */
  readonly hops?: readonly HopSummary[];
  /** AWS calls the local gateway checked against roles and routes: evaluated, denied, unreachable, per function. */
  readonly enforcement?: EnforcementStats;
  readonly invariants: readonly InvariantResult[];
  readonly timing?: RunTiming;
  readonly memory?: CloudMemory;
  /** The broker killed with --kill-broker-after, and what Kafka did about it. */
  readonly failover?: FailoverReport;
  /** Clicks counted by analytics against the clicks topic. */
  readonly analytics?: AnalyticsReport;
  /** Emails the SES v2 stand-in received against the order changes on the topics. */
  readonly notifications?: NotificationsReport;
  readonly dashboard?: { readonly url: string };
  /** `--chaos`: the faults injected, the retry budget, the outbox sweep and the provider's statement. */
  readonly chaos?: Omit<ChaosReport, 'redrive' | 'records'>;
  /** `--chaos`: what was given up and re-published to its topic. */
  readonly redrive?: ChaosReport['redrive'];
  /** `--chaos`: per consumed topic, in = processed + deadLettered (poison) when nothing is lost or stuck. */
  readonly records?: ChaosReport['records'];
  /** Why the run failed besides invariants (a timeout, refused orders). */
  readonly problems: readonly string[];
}

/** What the summary keeps of a mapping's stats (the runner's MappingStats). */
export type MappingSummary = Pick<MappingStats, 'id' | 'topic' | 'groupId' | 'committedOffsets' | 'invocations'> &
  Partial<Pick<MappingStats, 'deadLettered'>>;

/** Resident memory of the whole local cloud at its peak during the run. */
export interface CloudMemory {
  readonly totalRssMb: number;
  readonly processes: number;
  /** MB per part: kafka, dynamodb-local, s3rver, functions, command. */
  readonly byPart: Readonly<Record<string, number>>;
}

export interface RunTiming {
  /** Where the start-up went: synthesis (or its reuse), each component, the runner. */
  readonly startup?: CloudStartup;
  /** From the start of the command to the first order in a terminal state. */
  readonly firstOrderProcessedMs?: number;
  /** From the start of the command to the API accepting orders. */
  readonly startupMs?: number;
  /** From the first POST to the last order in a terminal state. */
  readonly ordersDurationMs?: number;
  readonly ordersPerSecond?: number;
}

/** What a run hands over to the summary as it is: the summary's own fields of the same name. */
type ReportedAsIs = Pick<
  RunSummary,
  'mappings' | 'hops' | 'enforcement' | 'timing' | 'memory' | 'failover' | 'analytics' | 'notifications' | 'dashboard'
>;

export interface SummaryInput extends InvariantOptions, ReportedAsIs {
  readonly snapshot: PipelineSnapshot;
  readonly sent: number;
  readonly refused: number;
  readonly planned?: ReadonlyMap<string, PlannedOutcome>;
  /** The run used a broker that already held records (`--kafka`). */
  readonly existingBroker?: boolean;
  readonly chaos?: ChaosReport;
  readonly problems?: readonly string[];
}

export function summarize(input: SummaryInput): RunSummary {
  const view = new SnapshotView(input.snapshot);
  const orderIds = input.acceptedOrderIds ?? [...view.orders.keys()];
  const byStatus: Partial<Record<OrderStatus, number>> = {};
  const byPlan: Partial<Record<PlannedOutcome, Partial<Record<OrderStatus, number>>>> = {};
  for (const orderId of orderIds) {
    const order = view.orders.get(orderId);
    if (!order) continue;
    const status = view.status(order);
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const plan = input.planned?.get(orderId);
    if (plan) {
      const counts = (byPlan[plan] ??= {});
      counts[status] = (counts[status] ?? 0) + 1;
    }
  }

  const topics: Partial<Record<TopicName, number>> = {};
  for (const topic of Object.values(TOPICS)) {
    // Records of this run: an existing broker (--kafka) may hold older ones before the start offsets.
    const starts = input.snapshot.startOffsets.get(topic.name) ?? [];
    topics[topic.name] = (input.snapshot.endOffsets.get(topic.name) ?? []).reduce(
      (sum, end, partition) => sum + end - (starts[partition] ?? 0),
      0,
    );
  }

  const reasons = new Map<string, { consumer: string; reason: string; count: number }>();
  const deadLetters = (input.snapshot.records.get(TOPICS.deadLetter.name) ?? []).map((record) =>
    readDeadLetter(record.topic, { ...record, value: record.value === null ? null : Buffer.from(record.value) }),
  );
  for (const letter of deadLetters) {
    // Both shapes: the functions' DeadLetter events and Lambda's on-failure records.
    const consumer = 'consumer' in letter ? letter.consumer : '?';
    // The first clause of a reason names its kind; the rest is detail that differs per record.
    const reason = ('reason' in letter ? letter.reason : `(${letter.unreadable})`).split(/[:;]/)[0]!.slice(0, 80);
    const key = `${consumer}\u0000${reason}`;
    const entry = reasons.get(key) ?? { consumer, reason, count: 0 };
    entry.count++;
    reasons.set(key, entry);
  }

  // One record of each give-up failed; the others were behind it (analytics counts them apart).
  const giveUps = (input.snapshot.records.get(TOPICS.deadLetter.name) ?? []).flatMap((record) => {
    const value = record.value === null ? null : Buffer.from(record.value).toString('base64');
    const group = deadLetterCount({
      ...record,
      key: null as never,
      value: value as never,
      timestampType: 'CREATE_TIME',
      headers: [],
    }).givenUp?.group;
    return group === undefined ? [] : [group];
  });
  const givenUpBehind = giveUps.length - new Set(giveUps).size;

  const invariants = checkInvariants(input.snapshot, input);
  const problems = [...(input.problems ?? [])];
  if (input.refused > 0) problems.push(`${input.refused} orders refused by the API`);
  for (const [fn, s] of Object.entries(input.enforcement?.perFunction ?? {})) {
    if (s.denied || s.unreachable) {
      problems.push(
        `${fn}: ${s.denied} AWS calls denied by IAM, ${s.unreachable} with no route (AWS would refuse them too)`,
      );
    }
  }
  for (const [fn, denied] of Object.entries(input.enforcement?.kafka?.denied ?? {})) {
    problems.push(
      `${fn}: ${denied} Kafka requests denied by the ACLs of its role's kafka-cluster grants (MSK would refuse them too)`,
    );
  }
  for (const lost of input.failover?.acknowledged.lost ?? [])
    problems.push(`acknowledged records not readable: ${lost}`);
  const probe = input.failover?.belowMinInsync;
  if (probe && probe.refusals.length === 0)
    problems.push('two brokers down, yet no acks=all send was refused with NOT_ENOUGH_REPLICAS');
  if (probe && (probe.copies < 1 || probe.copies > 1 + probe.mayHaveAppended))
    problems.push(
      `the acks=all probe event is in its topic ${probe.copies} times, expected 1 to ${1 + probe.mayHaveAppended}`,
    );
  if (input.analytics) problems.push(...analyticsProblems(input.analytics, { existingBroker: !!input.existingBroker }));
  const mails = input.notifications;
  if (mails && mails.sent < mails.expected) {
    problems.push(`${mails.expected - mails.sent} order changes without an email (${mails.missing.join(', ')})`);
  }
  const unexplained = mails ? mails.duplicates - mails.duplicatesAfterUnansweredSend : 0;
  if (unexplained > 0) problems.push(`${unexplained} emails sent more than once for one order change`);
  if (input.chaos) problems.push(...chaosProblems(input.chaos));
  const { redrive, records, ...chaos } = input.chaos ?? {};
  return {
    ok: problems.length === 0 && invariants.every((i) => i.holds),
    orders: { sent: input.sent, accepted: orderIds.length, refused: input.refused, byStatus, byPlan },
    topics,
    deadLetters: {
      count: deadLetters.length,
      givenUpBehind,
      reasons: [...reasons.values()].sort((a, b) => b.count - a.count),
    },
    archive: archiveCounts(input.snapshot.archive),
    mappings: input.mappings,
    hops: input.hops,
    enforcement: input.enforcement,
    invariants,
    timing: input.timing,
    memory: input.memory,
    failover: input.failover,
    analytics: input.analytics,
    notifications: input.notifications,
    dashboard: input.dashboard,
    ...(input.chaos ? { chaos: chaos as RunSummary['chaos'], redrive, records } : {}),
    problems,
  };
}

/** What makes a chaos run fail besides the invariants. */
function chaosProblems(chaos: ChaosReport): string[] {
  const problems: string[] = [];
  for (const fault of chaos.faults)
    if (!fault.injected) problems.push(`fault ${fault.name} not injected: ${fault.detail}`);
  for (const [topic, r] of Object.entries(chaos.records)) {
    if (r.in !== r.processed + r.deadLettered) {
      problems.push(
        `${topic}: ${r.in} records in, but ${r.processed} processed + ${r.deadLettered} dead-lettered ` +
          `(${r.givenUpNotRedriven} given up and not re-driven)`,
      );
    }
    if (r.lag > 0) problems.push(`${topic}: ${r.lag} records not committed by its consumers (a stuck partition)`);
  }
  if (chaos.redrive.missing > 0) problems.push(`${chaos.redrive.missing} given-up records gone from their topic`);
  if (chaos.outboxSweep.failed > 0) problems.push(`${chaos.outboxSweep.failed} outbox entries could not be swept`);
  for (const key of chaos.provider.chargedMoreThanOnce) problems.push(`the provider moved money twice for ${key}`);
  const mails = chaos.emails;
  if (mails.sent < mails.expected) {
    problems.push(`I8: ${mails.expected - mails.sent} order changes without an email (${mails.missing.join(', ')})`);
  }
  if (mails.duplicatedOutsideWindow.length > 0) {
    problems.push(
      `I8: ${mails.duplicates - mails.duplicatesInCrashWindow - mails.duplicatesAfterUnansweredSend} emails sent more than once for one order change ` +
        `outside the outage's crash window (${mails.duplicatedOutsideWindow.join(', ')})`,
    );
  }
  if (chaos.refusedRefund.refundStatus !== 'refund_failed') {
    problems.push(
      `the refused refund of ${chaos.refusedRefund.orderId} is ${chaos.refusedRefund.refundStatus ?? 'not recorded'}, not refund_failed`,
    );
  }
  return problems;
}

/** What the local gateway checked and refused, per function; loud when enforcement was off. */
function formatEnforcement(enforcement: EnforcementStats): string[] {
  if (!enforcement.enabled) {
    return ['', 'Enforcement: OFF (--no-enforce): IAM and routes were NOT checked; AWS may refuse what passed here'];
  }
  const lines = ['', 'Enforcement: AWS calls checked against roles and routes (evaluated / denied / unreachable)'];
  for (const [fn, s] of Object.entries(enforcement.perFunction)) {
    if (s.evaluated === 0) continue;
    lines.push(
      `  ${fn.padEnd(16)} ${String(s.evaluated).padStart(7)} ${String(s.denied).padStart(6)} ${String(s.unreachable).padStart(6)}`,
    );
  }
  for (const refusal of enforcement.refusals.slice(0, 10)) lines.push(`  - ${refusal}`);
  const kafka = enforcement.kafka;
  if (!kafka) {
    lines.push('Kafka: no ACLs (the broker was not started here): kafka-cluster grants NOT checked');
    return lines;
  }
  const denied = Object.entries(kafka.denied);
  lines.push(
    `Kafka: ${kafka.acls} ACLs from the roles' kafka-cluster grants; requests denied: ` +
      (denied.length === 0 ? 'none' : denied.map(([fn, n]) => `${fn} ${n}`).join(', ')),
  );
  for (const refusal of kafka.refusals.slice(0, 10)) lines.push(`  - ${refusal}`);
  return lines;
}

/** The summary as text for a terminal. */
export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  const { orders } = summary;
  lines.push('', 'Orders');
  lines.push(`  sent ${orders.sent}, accepted ${orders.accepted}, refused ${orders.refused}`);
  for (const status of ORDER_STATUSES) {
    if (orders.byStatus[status]) lines.push(`  ${status.padEnd(18)} ${orders.byStatus[status]}`);
  }
  for (const [plan, counts] of Object.entries(orders.byPlan)) {
    const parts = Object.entries(counts).map(([status, n]) => `${status} ${n}`);
    lines.push(`  planned ${plan.padEnd(12)} -> ${parts.join(', ')}`);
  }

  lines.push('', 'Events per topic (records)');
  for (const [topic, count] of Object.entries(summary.topics)) lines.push(`  ${topic.padEnd(18)} ${count}`);

  const behind = summary.deadLetters.givenUpBehind ?? 0;
  lines.push(
    '',
    `Dead-lettered records: ${summary.deadLetters.count}` +
      (behind > 0 ? ` (${behind} of them given up only for being behind a failed record)` : ''),
  );
  for (const r of summary.deadLetters.reasons)
    lines.push(`  ${String(r.count).padStart(5)}  ${r.consumer}: ${r.reason}`);

  const { objects, records, lines: read } = summary.archive;
  lines.push('', `Archive: ${objects} objects, ${records} records (${read - records} overlapping copies read once)`);

  if (summary.mappings?.length) {
    lines.push('', 'Event source mappings (invocations / committed offsets / dead-lettered)');
    for (const m of summary.mappings) {
      lines.push(
        `  ${m.id.padEnd(36)} ${String(m.invocations).padStart(6)} ${String(m.committedOffsets).padStart(7)} ` +
          `${String(m.deadLettered ?? 0).padStart(5)}`,
      );
    }
  }

  if (summary.hops?.length) {
    lines.push(
      '',
      'Where records spent their time per mapping (median ms: in the source, window, invocation; p99 of the sum)',
    );
    for (const h of summary.hops) {
      lines.push(
        `  ${h.mapping.padEnd(36)} ${String(h.waitMs).padStart(6)} ${String(h.windowMs).padStart(6)} ` +
          `${String(h.invokeMs).padStart(6)}   p99 ${String(h.p99TotalMs).padStart(6)}  (${h.records} records)`,
      );
    }
  }

  if (summary.enforcement) lines.push(...formatEnforcement(summary.enforcement));
  if (summary.analytics) lines.push(...formatAnalytics(summary.analytics));
  if (summary.notifications) lines.push(...formatNotifications(summary.notifications));
  if (summary.dashboard) lines.push('', `Dashboard: ${summary.dashboard.url}`);

  lines.push('', 'Invariants');
  for (const i of summary.invariants) {
    lines.push(`  ${i.holds ? 'OK  ' : 'FAIL'} ${i.id} ${i.title} (${i.checked} checked)`);
    for (const v of i.violations) lines.push(`         - ${v}`);
    if (i.violationCount > i.violations.length)
      lines.push(`         ... ${i.violationCount - i.violations.length} more`);
  }

  if (summary.timing || summary.memory) {
    lines.push('', 'Measurements');
    const t = summary.timing;
    if (t?.startupMs !== undefined) lines.push(`  cloud up (command to API ready)     ${formatSeconds(t.startupMs)}`);
    if (t?.startup) lines.push(...formatStartup(t.startup));
    if (t?.firstOrderProcessedMs !== undefined) {
      lines.push(`  command to first order processed    ${formatSeconds(t.firstOrderProcessedMs)}`);
    }
    if (t?.ordersDurationMs !== undefined)
      lines.push(`  orders, first POST to last terminal ${formatSeconds(t.ordersDurationMs)}`);
    if (t?.ordersPerSecond !== undefined)
      lines.push(`  throughput                          ${t.ordersPerSecond.toFixed(1)} orders/s`);
    if (summary.memory) {
      const { totalRssMb, processes, byPart } = summary.memory;
      const parts = Object.entries(byPart)
        .map(([part, mb]) => `${part} ${mb.toFixed(0)}`)
        .join(', ');
      lines.push(`  memory, peak RSS of ${processes} processes  ${totalRssMb.toFixed(0)} MB (${parts})`);
    }
  }

  if (summary.failover) lines.push(...formatFailover(summary.failover));
  if (summary.chaos) lines.push(...formatChaos(summary));

  if (summary.problems.length) {
    lines.push('', 'Problems');
    for (const p of summary.problems) lines.push(`  - ${p}`);
  }
  lines.push('', summary.ok ? 'Result: OK, every invariant holds' : 'Result: FAILED', '');
  return lines.join('\n');
}

function formatAnalytics(a: AnalyticsReport): string[] {
  const top = a.topProducts.map((p) => `${p.product_id} ${p.views}`).join(', ');
  return [
    '',
    'Click analytics',
    `  ${a.clicksAccepted === undefined ? '' : `accepted ${a.clicksAccepted}, `}on the topic ${a.clicksProduced} ` +
      `(+${a.duplicates} duplicate records), counted ${a.clicksCounted}, late ${a.late}`,
    `  top products, last hour            ${top || 'none'}`,
    `  recounted from the topic           ${a.topProductsMatchTopic ? 'same' : `DIFFERENT: ${(a.topProductsFromTopic ?? []).map((p) => `${p.product_id} ${p.views}`).join(', ')}`}`,
    `  summary counters (orders, emails)  ${Object.entries(a.summaryCounters.byStatus)
      .filter(([, n]) => n !== 0)
      .map(([status, n]) => `${status} ${n}`)
      .join(
        ', ',
      )}; ${a.summaryCounters.sent} sent; ${a.summaryCounters.matchTables ? 'same as the tables' : 'DIFFERENT from the tables'}`,
  ];
}

function formatNotifications(n: NotificationsReport): string[] {
  const changes = Object.entries(n.byChange)
    .filter(([, c]) => c.expected > 0)
    .map(([change, c]) => `${change} ${c.sent}/${c.expected}`)
    .join(', ');
  return [
    '',
    `Notifications: ${n.sent} of ${n.expected} order changes emailed, ${n.duplicates} duplicates` +
      (n.duplicatesAfterUnansweredSend ? ` (${n.duplicatesAfterUnansweredSend} after a send that got no answer)` : ''),
    ...(changes ? [`  per change (sent/expected)         ${changes}`] : []),
  ];
}

function formatFailover(f: FailoverReport): string[] {
  const peak = f.underReplicated.reduce((max, s) => Math.max(max, s.partitions), 0);
  const inSync = f.underReplicated.find((s, i) => i > 0 && s.partitions === 0 && peak > 0);
  const { records, readable, lost } = f.acknowledged;
  return [
    '',
    'Broker failover',
    `  killed broker ${f.killedBrokers.join(' and ')} (SIGKILL) after ${f.killedAfterOrders} orders placed; back after ${formatSeconds(f.downMs)}`,
    `  leader elections                    ${f.leaderElections.length} partitions (${f.leaderElections
      .slice(0, 4)
      .map((e) => `${e.partition} ${e.leaders.join('->')}`)
      .join(', ')}${f.leaderElections.length > 4 ? ', ...' : ''})`,
    `  under-replicated partitions         peak ${peak}${inSync ? `, all in sync ${formatSeconds(inSync.atMs)} after the kill` : ''}`,
    `    over time (s:count)               ${f.underReplicated
      .filter((_, i, all) => i % Math.max(1, Math.ceil(all.length / 12)) === 0)
      .map((s) => `${(s.atMs / 1000).toFixed(0)}:${s.partitions}`)
      .join(' ')}`,
    `  kill to first order processed      ${f.killToFirstProcessedMs === undefined ? 'none' : formatSeconds(f.killToFirstProcessedMs)}`,
    `  acknowledged records readable      ${readable} of ${records}${lost.length ? ` (LOST in ${lost.length} partitions)` : ''}`,
    ...(f.belowMinInsync ? formatBelowMinInsync(f.belowMinInsync) : []),
  ];
}

function formatChaos(summary: RunSummary): string[] {
  const chaos = summary.chaos!;
  const lines = ['', `Chaos (faults, then re-drive; ${formatSeconds(chaos.durationMs)} from the first order)`];
  const budget = Object.entries(chaos.retryBudget.byFunction)
    .map(([fn, ms]) => `${fn} ${formatSeconds(ms)}`)
    .join(', ');
  lines.push(`  retry budget per function           ${budget}`);
  lines.push(`  DynamoDB Local outage               ${formatSeconds(chaos.retryBudget.outageMs)} planned`);
  for (const f of chaos.faults)
    lines.push(`  ${f.injected ? 'injected' : 'MISSED  '}  ${f.name.padEnd(24)} ${f.detail}`);
  const r = summary.redrive!;
  lines.push(
    `  re-drive                            ${r.listed} dead letters listed, ${r.republished} given-up records re-published ` +
      `in ${r.rounds} round(s), ${r.missing} gone`,
  );
  lines.push(
    `  outbox sweep                        ${chaos.outboxSweep.republished} of ${chaos.outboxSweep.found} unmarked entries published`,
  );
  const p = chaos.provider;
  lines.push(
    `  provider statement                  ${p.chargeRequests} charge and ${p.refundRequests} refund requests; ` +
      `money moved twice for ${p.chargedMoreThanOnce.length} orders; refused refunds ${p.refusedRefunds.length}`,
  );
  lines.push(
    `  left to an operator                 ${chaos.needsOperator.length} claim(s) older than the provider's key` +
      (chaos.needsOperator.length
        ? `: ${chaos.needsOperator
            .slice(0, 5)
            .map((c) => `${c.orderId} (${c.claim}, ${c.status})`)
            .join(', ')}`
        : ''),
  );
  const m = chaos.emails;
  lines.push(
    `  emails (I8)                         ${m.sent} of ${m.expected} order changes emailed, ${m.duplicates} duplicates ` +
      `(${m.duplicatesInCrashWindow} in the outage's crash window, ${m.duplicatesAfterUnansweredSend} after a send that got no answer)`,
  );
  const refused = chaos.refusedRefund;
  lines.push(
    `  refund refused for good             order ${refused.orderId}: ${refused.orderStatus ?? '?'}, ledger ${refused.refundStatus ?? 'none'} (an operator's case)`,
  );
  lines.push('  records per topic                   in = processed + dead-lettered (re-driven copies, lag)');
  for (const [topic, b] of Object.entries(summary.records ?? {})) {
    const balanced = b.in === b.processed + b.deadLettered && b.lag === 0;
    lines.push(
      `    ${topic.padEnd(18)} ${String(b.in).padStart(6)} = ${String(b.processed).padStart(6)} + ${String(b.deadLettered).padStart(3)}` +
        `   (${b.redriven} re-driven, lag ${b.lag})${balanced ? '' : '  UNBALANCED'}`,
    );
  }
  return lines;
}

function formatBelowMinInsync(p: MinInsyncProbeReport): string[] {
  const refusals = p.refusals.map((r) => `${r.error} (${r.code}) x${r.count}`).join(', ') || 'none';
  return [
    '  one in-sync replica left (min.insync.replicas 2): an acks=all probe send, retried',
    `    refused with                      ${refusals}${p.firstRefusalMs === undefined ? '' : `, first ${formatSeconds(p.firstRefusalMs)} after the kill`}`,
    `    other failures                    ${p.otherFailures} (timeouts while the dead brokers were fenced)`,
    `    acknowledged                      ${p.acknowledgedMs === undefined ? 'never' : `${formatSeconds(p.acknowledgedMs)} after the kill`}`,
    `    copies written                    ${p.copies} (at most ${1 + p.mayHaveAppended}: the acknowledged send, and ${p.mayHaveAppended} failed ones that may have been appended first)`,
  ];
}

function archiveCounts(objects: PipelineSnapshot['archive']): RunSummary['archive'] {
  const { records, lines } = archivedRecords(objects.flatMap((o) => (o.lines ? [o.lines] : [])));
  return { objects: objects.length, records: records.size, lines };
}

/** The start-up's parts, indented under "cloud up": synthesis and the components run side by side. */
function formatStartup(s: CloudStartup): string[] {
  const c = s.components;
  const components = [
    c.kafka === undefined ? undefined : `Kafka ${formatSeconds(c.kafka)}`,
    `DynamoDB Local ${formatSeconds(c.dynamodb)}`,
    `S3 ${formatSeconds(c.s3)}`,
    c.ses === undefined ? undefined : `SES ${formatSeconds(c.ses)}`,
  ].filter(Boolean);
  return [
    `    synthesis                         ${s.synthReused ? `reused (inputs unchanged, ${formatSeconds(s.synthMs)} to check)` : formatSeconds(s.synthMs)}`,
    `    components, side by side          ${formatSeconds(c.total)} with topics and tables (${components.join(', ')})`,
    `    runner (templates, pollers)       ${formatSeconds(s.runnerMs)}`,
    ...(s.enforcementMs === undefined
      ? []
      : [`      of which enforcement            ${formatSeconds(s.enforcementMs)} (roles, policies, routes, gateway)`]),
  ];
}
