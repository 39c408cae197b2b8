/**
 * `npm run local -- --chaos`: the demo run with the faults listed in docs/design.md ("Chaos run") injected on the
 * real components, then what was given up re-driven and the outbox swept, and the run summed up
 * with the invariants, the record balance of every consumed topic and the provider's statement.
 * The faults, in order (docs/design.md, "Chaos run"):
 *   hostile records on every consumed topic, while the first half of the orders is placed;
 *   DynamoDB Local halted for longer than the whole retry budget, once the first half's orders
 *   are on the orders topic (so that consumers hold them), then started on its data file;
 *   the Kafka broker killed (SIGKILL) and restarted on its log;
 *   the second half of the orders, with one refund the provider refuses for good;
 *   OrderCreated records produced again at new offsets, after the provider forgot their keys;
 *   two overlapping archive batches of one partition, the longer first.
 */
import { Producer, ProduceAcks } from '@platformatic/kafka';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DynamoDbPaymentStore } from '../../../lambdas/billing/adapters/dynamodb-payment-store';
import {
  SIMULATED_PROVIDER_LOG_MESSAGE,
  SimulatedPaymentProvider,
} from '../../../lambdas/billing/adapters/simulated-payment-provider';
import { keyTrustMs } from '../../../lambdas/billing/claims';
import { reconcileClaims } from '../../../lambdas/billing/reconcile-claims';
import { orderIdFor } from '../../../lambdas/order-api/place-order';
import { sweepOutbox, type SweepReport } from '../../../lambdas/outbox-sweeper/sweep-outbox';
import { ENV } from '../../../lambdas/shared/contracts/environment';
import { functionName, type FunctionId } from '../../../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS } from '../../../lambdas/shared/contracts/subscriptions';
import { TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { KafkaEventPublisher } from '../../../lambdas/shared/kafka/kafka-publisher';
import { DynamoDbOutboxStore } from '../../../lambdas/shared/orders/outbox-store';
import { localTableName } from '../app-bindings';
import { resolveCluster } from '../console/connection';
import { readDeadLetter, REDRIVEN_FROM_HEADER, type DeadLetterEntry } from '../console/dead-letters';
import { redrive, type RedriveResult } from '../console/redrive';
import type { Assembly } from '../../runtime/runner';
import { mskEvent, toMskRecord } from '../../runtime/runner/kafka-event';
import { retryBudgetMs } from '../../runtime/runner/retry-policy';
import { localDynamoDbClient } from '../../runtime/services';
import { sleep } from '../../runtime/services/process';
import { waitForConsumers } from './consumer-lag';
import type { DemoCloud, DemoCloudOptions } from './demo-run';
import { seedPlan } from './demo-run';
import { readTopic, type TopicRecord } from './kafka-inspect';
import { formatSeconds } from '../format';
import { getOrders, placeOrders, type AcceptedOrder } from './order-client';
import type { DemoOrder, DemoPlan, PlannedOutcome } from './order-generator';
import { waitUntilTerminal } from './order-progress';
import { takeSnapshot, type PipelineSnapshot } from './snapshot';
import { summarize, type RunSummary } from './summary';
import type { ChaosFault, ChaosReport, TopicRecordBalance } from './chaos-report';

export type { ChaosFault, ChaosReport, TopicRecordBalance } from './chaos-report';

/** The plan of a chaos run: the demo plan and one order whose refund the provider refuses for good. */
export interface ChaosPlan extends DemoPlan {
  readonly refusedRefundOrderId: string;
}

const REFUSED_REFUND_ORDER: DemoOrder = {
  idempotencyKey: 'chaos-refund-refused',
  planned: 'out_of_stock',
  // `discontinued` has no stock: the order is cancelled, and its refund asked for.
  request: {
    user_id: 'chaos-user',
    items: [{ product_id: 'discontinued', quantity: 1, unit_price: 10 }],
    currency: 'USD',
    payment_method: 'credit_card',
  },
};

/** The simulated provider forgets a key this long after its first use: every late redelivery meets a forgotten key. */
const PROVIDER_FORGETS_KEYS_AFTER_SECONDS = 10;
/** The outage lasts the largest retry budget and this much more. */
const OUTAGE_MARGIN_MS = 20_000;
const BROKER_DOWN_MS = 10_000;
const DUPLICATED_ORDERS = 10;
/** How long a fault waits for the run's OrderCreated records to reach the orders topic. */
const ORDERS_ON_TOPIC_TIMEOUT_MS = 120_000;
/** Beyond the provider's memory: billing charges a record within moments of its append. */
const FORGOTTEN_MARGIN_MS = 5_000;
/** Hostile records per topic: at least 900 KB, under the broker's default message.max.bytes (1 MiB). */
const OVERSIZE_BYTES = 900 * 1024;
const NESTING_DEPTH = 50_000;

export function chaosPlan(plan: DemoPlan): ChaosPlan {
  // Last: its charge completes after the outage, so its refund is asked for (and refused) for sure.
  return {
    ...plan,
    orders: [...plan.orders, REFUSED_REFUND_ORDER],
    refusedRefundOrderId: orderIdFor(REFUSED_REFUND_ORDER.request.user_id, REFUSED_REFUND_ORDER.idempotencyKey),
  };
}

/** What the cloud needs for a chaos run: DynamoDB Local on a file, the provider's faults in billing's environment. */
export function chaosStackOptions(
  plan: ChaosPlan,
): Pick<DemoCloudOptions, 'persistentDynamoDb' | 'functionEnvironment'> {
  return {
    persistentDynamoDb: true,
    functionEnvironment: {
      billing: {
        [ENV.simulatedProviderForgetKeysAfterSeconds]: String(PROVIDER_FORGETS_KEYS_AFTER_SECONDS),
        [ENV.simulatedProviderRefuseRefunds]: plan.refusedRefundOrderId,
      },
    },
  };
}

export interface ChaosRunOptions {
  readonly concurrency: number;
  /** Give up waiting for terminal states this long after the faults (default 300 s + 1 s per order). */
  readonly timeoutMs?: number;
  readonly log: (line: string) => void;
}

const CONSUMED_TOPICS = [...new Set(SUBSCRIPTIONS.map((s) => s.topic))].filter(
  (topic) => topic !== TOPICS.deadLetter.name,
);
const KAFKA_CONSUMERS = [...new Set(SUBSCRIPTIONS.map((s) => s.functionId))] as FunctionId[];

export async function runChaos(demo: DemoCloud, plan: ChaosPlan, options: ChaosRunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { cloud } = demo;
  const { services } = cloud;
  const { log } = options;
  const broker = services.kafka?.nodes[0];
  if (!broker || services.kafka!.nodes.length !== 1 || !services.dynamodb.persistent) {
    throw new Error('The chaos run needs its own one-broker Kafka and DynamoDB Local on a data file');
  }
  await seedPlan(cloud, plan, log);
  const budget = retryBudgets(cloud.assembly);
  const outageMs = budget.maxMs + OUTAGE_MARGIN_MS;
  log(
    `Retry budget per function (retries x timeout + waits): ${Object.entries(budget.byFunction)
      .map(([fn, ms]) => `${fn} ${formatSeconds(ms)}`)
      .join(', ')}; DynamoDB Local will be down ${formatSeconds(outageMs)}`,
  );

  const faults: ChaosFault[] = [];
  const accepted: AcceptedOrder[] = [];
  const refused: string[] = [];
  const half = Math.ceil(plan.orders.length / 2);
  const place = async (orders: readonly DemoOrder[], onPlaced?: (done: number) => void) => {
    const result = await placeOrders(cloud.api.url, orders, {
      concurrency: options.concurrency,
      onAccepted: (order) => accepted.push(order),
      onPlaced,
    });
    refused.push(...result.refused.map((r) => `refused (${r.status}): ${r.body.slice(0, 200)}`));
  };

  // 1. Hostile records among the first half's records.
  log(`Placing the first ${half} orders; hostile records go onto ${CONSUMED_TOPICS.join(', ')} meanwhile...`);
  let hostile: Promise<ChaosFault[]> | undefined;
  await place(plan.orders.slice(0, half), (done) => {
    if (done >= Math.min(10, half)) hostile ??= produceHostileRecords(services.kafkaBootstrap);
  });
  faults.push(...(await (hostile ?? produceHostileRecords(services.kafkaBootstrap))));

  // 2. DynamoDB Local down for longer than any mapping's retry budget, with the first half in flight:
  // once their OrderCreated records are on the topic, so that the consumers hold records of them
  // (several hops behind one-second batching windows) rather than the relay alone.
  await ordersTopicHolding(services.kafkaBootstrap, accepted.length);
  log(`Halting DynamoDB Local for ${formatSeconds(outageMs)} (records in flight will exhaust their retries)...`);
  const haltedAt = Date.now();
  await services.dynamodb.halt();
  await sleep(outageMs);
  await services.dynamodb.restart();
  const dynamoDownMs = Date.now() - haltedAt;
  log(`DynamoDB Local back after ${formatSeconds(dynamoDownMs)} on the same port and data file`);
  faults.push({
    name: 'dynamodb-outage',
    injected: dynamoDownMs > budget.maxMs,
    detail: `stopped ${formatSeconds(dynamoDownMs)}, longer than the largest retry budget ${formatSeconds(budget.maxMs)}; restarted on its data file`,
  });

  // 3. The broker crashes and comes back on its log.
  log(`Killing the Kafka broker (SIGKILL), restarting it after ${formatSeconds(BROKER_DOWN_MS)}...`);
  const killedAt = Date.now();
  await broker.kill();
  await sleep(BROKER_DOWN_MS);
  await broker.restart();
  faults.push({
    name: 'broker-restart',
    injected: true,
    detail: `SIGKILL, back on its log after ${formatSeconds(Date.now() - killedAt)}`,
  });

  // 4. The second half, on a pipeline that is whole again.
  log(`Placing the other ${plan.orders.length - half} orders...`);
  await place(plan.orders.slice(half));

  // 5. Duplicates at new offsets, reaching billing after the provider forgot their keys. Taken
  // from what is on the topic by now: records of the first half that were in flight during the
  // outage come back only through the re-drive and the sweep below.
  const ordersTopic = await ordersTopicHolding(services.kafkaBootstrap, Math.min(accepted.length, DUPLICATED_ORDERS));
  faults.push(await duplicateOrders(services.kafkaBootstrap, ordersTopic.filter(isRunOrder)));
  faults.push({
    name: 'provider-forgets-keys',
    injected: true,
    detail: `the simulated provider forgets each idempotency key ${PROVIDER_FORGETS_KEYS_AFTER_SECONDS} s after its first use`,
  });

  // 6. Two overlapping batches of one partition, straight to the archive function.
  faults.push(await overlapArchiveBatches(demo, services.kafkaBootstrap, ordersTopic));

  // 7. Everything given up goes back to its topic; the outbox is swept; until nothing is left.
  const deadline = Date.now() + (options.timeoutMs ?? 300_000 + plan.orders.length * 1_000);
  const redriven = { listed: 0, republished: 0, alreadyRedriven: 0, missing: 0, rounds: 0 };
  const swept = { found: 0, republished: 0, failed: 0 };
  const waited = new Set(accepted.map((o) => o.order_id).filter((id) => id !== plan.refusedRefundOrderId));
  let pending: readonly string[] = [...waited];
  const needsOperator: { orderId: string; claim: string; status: string }[] = [];
  for (let round = 1; round <= 3 && Date.now() < deadline; round++) {
    log(`Round ${round}: waiting for every consumer to reach the end of its topics...`);
    await waitForConsumers(services.kafkaBootstrap, KAFKA_CONSUMERS, {
      timeoutMs: Math.max(1_000, deadline - Date.now()),
    });
    const result = await redriveGivenUp(services.kafkaBootstrap, log);
    redriven.listed = result.listed;
    redriven.republished += result.republished;
    redriven.alreadyRedriven = result.alreadyRedriven;
    redriven.missing = result.missing;
    redriven.rounds = round;
    const sweep = await sweepOutboxOnce(services.dynamodbEndpoint, services.kafkaBootstrap);
    swept.found += sweep.found;
    swept.republished += sweep.republished.length;
    swept.failed += sweep.failed.length;
    log(
      `  re-drove ${result.republished} given-up records (${result.alreadyRedriven} already), ` +
        `swept ${sweep.republished.length} outbox entries`,
    );
    for (const claim of await claimsForOperator(services.dynamodbEndpoint)) {
      if (needsOperator.some((c) => c.orderId === claim.orderId)) continue;
      needsOperator.push(claim);
      waited.delete(claim.orderId);
      log(`  order ${claim.orderId}: ${claim.claim} claim left to an operator (older than the provider's key)`);
    }
    const terminal = await waitUntilTerminal(services.dynamodbEndpoint, () => [...waited], {
      deadline: Math.min(deadline, Date.now() + 120_000),
      allPlaced: () => true,
      intervalMs: 1_000,
    });
    pending = terminal.pending;
    log(`  ${waited.size - pending.length} of ${waited.size} orders terminal`);
    if (pending.length === 0 && result.republished === 0 && sweep.republished.length === 0) break;
  }

  log('Waiting for every consumer to reach the end of its topics...');
  const lag = await waitForConsumers(services.kafkaBootstrap, KAFKA_CONSUMERS, {
    timeoutMs: Math.max(30_000, deadline - Date.now()),
  });
  log('Collecting the summary (tables, topics, archive, provider statement)...');
  const snapshot = await takeSnapshot(services);
  const views = await getOrders(cloud.api.url, [...waited]);
  const payment = snapshot.tables.payments.find((p) => p.order_id === plan.refusedRefundOrderId);
  const [order] = await getOrders(cloud.api.url, [plan.refusedRefundOrderId]);
  const report: ChaosReport = {
    faults,
    retryBudget: { ...budget, outageMs },
    redrive: redriven,
    outboxSweep: swept,
    records: recordBalance(snapshot),
    provider: providerStatement(join(services.workDir, 'functions.log')),
    needsOperator,
    refusedRefund: {
      orderId: plan.refusedRefundOrderId,
      refundStatus: payment?.refund_status as string | undefined,
      orderStatus: order?.status,
    },
    durationMs: Date.now() - started,
  };
  const problems = [...refused];
  if (pending.length) problems.push(`${pending.length} orders not terminal: ${pending.slice(0, 5).join(', ')}`);
  const notTerminal = views.filter((v) => !v.terminal);
  if (notTerminal.length && !pending.length)
    problems.push(`GET /orders/{id} reports ${notTerminal.length} orders not terminal`);
  if (lag.lag > 0) problems.push(`${lag.lag} records left uncommitted by ${lag.groups.join(', ')}`);
  const planned = new Map<string, PlannedOutcome>(
    accepted.flatMap((o) => (o.planned ? [[o.order_id, o.planned] as const] : [])),
  );
  return summarize({
    snapshot,
    sent: plan.orders.length,
    refused: refused.length,
    acceptedOrderIds: accepted.map((o) => o.order_id),
    operatorCases: needsOperator.map((c) => c.orderId),
    planned,
    mappings: cloud.runner.stats().mappings,
    enforcement: cloud.runner.stats().enforcement,
    timing: { startup: cloud.startup, startupMs: demo.startupMs },
    chaos: report,
    problems,
  });
}

function retryBudgets(assembly: Assembly): { byFunction: Record<string, number>; maxMs: number } {
  const byFunction: Record<string, number> = {};
  for (const mapping of assembly.kafkaMappings) {
    const fn = assembly.functions.find((f) => f.logicalId === mapping.functionLogicalId);
    if (!fn) continue;
    byFunction[fn.id] = Math.max(byFunction[fn.id] ?? 0, retryBudgetMs(mapping, fn.timeoutSeconds));
  }
  return { byFunction, maxMs: Math.max(0, ...Object.values(byFunction)) };
}

/**
 * Four records no consumer can use, on every consumed topic: each is produced on its own, so the
 * broker's answer to each is known (a refusal is reported, not hidden).
 */
async function produceHostileRecords(bootstrap: string): Promise<ChaosFault[]> {
  const oversize = JSON.stringify({ event_type: 'OrderCreated', padding: 'x'.repeat(OVERSIZE_BYTES) });
  const deep = '['.repeat(NESTING_DEPTH) + ']'.repeat(NESTING_DEPTH);
  const kinds: { name: string; key: string; value: Buffer | undefined }[] = [
    { name: 'oversize-record', key: 'chaos-oversize', value: Buffer.from(oversize) },
    { name: 'deep-json', key: 'chaos-deep', value: Buffer.from(deep) },
    { name: 'tombstone', key: 'chaos-tombstone', value: undefined },
    { name: 'not-json', key: 'chaos-not-json', value: Buffer.from('not json {') },
  ];
  const producer = rawProducer(bootstrap, 'chaos-hostile');
  try {
    const faults: ChaosFault[] = [];
    for (const kind of kinds) {
      const answers: string[] = [];
      let accepted = 0;
      for (const topic of CONSUMED_TOPICS) {
        try {
          const result = await producer.send({
            messages: [{ topic, key: Buffer.from(kind.key), value: kind.value as Buffer }],
          });
          accepted++;
          answers.push(`${topic}@${String(result.offsets?.[0]?.offset ?? '?')}`);
        } catch (error) {
          answers.push(`${topic}: refused (${(error as Error).message.slice(0, 120)})`);
        }
      }
      const size = kind.value?.length ?? 0;
      faults.push({
        name: kind.name,
        injected: accepted === CONSUMED_TOPICS.length,
        detail: `${size} bytes; accepted on ${accepted} of ${CONSUMED_TOPICS.length} topics (${answers.join(', ')})`,
      });
    }
    return faults;
  } finally {
    await producer.close();
  }
}

/** A producer straight to the local broker, bypassing the system's publishers: the faults' own. */
function rawProducer(bootstrap: string, clientId: string): Producer {
  return new Producer({
    ...resolveCluster({ bootstrap: [bootstrap], iam: false }).clientOptions(clientId),
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
}

const isRunOrder = (r: TopicRecord) =>
  r.value?.includes('"OrderCreated"') === true && r.key !== null && !r.key.startsWith('chaos-');

/**
 * Every record of the orders topic, once the OrderCreated records of at least `expected` of the
 * run's orders (keyed by order id) are there: the outbox relay publishes them moments after the
 * API accepts them, and a fault injected before they are on the topic would prove nothing.
 */
async function ordersTopicHolding(bootstrap: string, expected: number): Promise<TopicRecord[]> {
  const deadline = Date.now() + ORDERS_ON_TOPIC_TIMEOUT_MS;
  for (;;) {
    const records = await readTopic(bootstrap, TOPICS.orders.name);
    const orders = new Set(records.filter(isRunOrder).map((r) => r.key));
    if (orders.size >= expected || Date.now() > deadline) return records;
    await sleep(1_000);
  }
}

/**
 * OrderCreated records of the run produced again, whole, at new offsets of their partitions, once
 * the originals are old enough that the provider has forgotten the keys billing charged them with.
 */
async function duplicateOrders(bootstrap: string, runOrders: readonly TopicRecord[]): Promise<ChaosFault> {
  const chosen = runOrders.slice(0, DUPLICATED_ORDERS);
  const youngest = Math.max(0, ...chosen.map((r) => r.timestamp));
  await sleep(youngest + PROVIDER_FORGETS_KEYS_AFTER_SECONDS * 1000 + FORGOTTEN_MARGIN_MS - Date.now());
  const producer = rawProducer(bootstrap, 'chaos-duplicates');
  try {
    await producer.send({
      messages: chosen.map((r) => ({
        topic: r.topic,
        partition: r.partition,
        key: Buffer.from(r.key!),
        value: Buffer.from(r.value!),
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      })),
    });
  } finally {
    await producer.close();
  }
  return {
    name: 'duplicate-order-created',
    injected: chosen.length > 0,
    detail: `${chosen.length} OrderCreated records produced again at new offsets (${chosen
      .slice(0, 3)
      .map((r) => `${r.topic}-${r.partition}@${r.offset}`)
      .join(', ')}${chosen.length > 3 ? ', ...' : ''})`,
  };
}

/**
 * A rebalance's overlap: the archive function is invoked with offsets a..c of one partition (the
 * orders topic's fullest), then with a..b (b < c) of the same, so the shorter object is written
 * last; its mapping archives the partition too. The reader counts each offset once (I5).
 */
async function overlapArchiveBatches(
  demo: DemoCloud,
  bootstrap: string,
  ordersTopic: readonly TopicRecord[],
): Promise<ChaosFault> {
  const counts = new Map<number, number>();
  for (const r of ordersTopic) counts.set(r.partition, (counts.get(r.partition) ?? 0) + 1);
  const partition = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
  const records = ordersTopic.filter((r) => r.partition === partition);
  const length = Math.min(50, records.length);
  if (length < 2) return { name: 'archive-overlap', injected: false, detail: `too few records on orders-${partition}` };
  const source = { eventSourceArn: 'arn:aws:kafka:local:chaos', bootstrapServers: bootstrap };
  const batch = (count: number) => mskEvent(records.slice(0, count).map(asMskRecord), source);
  const answers = [];
  for (const count of [length, Math.ceil(length / 2)]) {
    const { error } = await demo.cloud.runner.invoke('archive', batch(count));
    answers.push(error ? `${error.errorType}: ${error.errorMessage}` : 'ok');
  }
  const [first, last] = [records[0]!.offset, records[length - 1]!.offset];
  return {
    name: 'archive-overlap',
    injected: answers.every((a) => a === 'ok'),
    detail: `orders-${partition} offsets ${first}-${last}, then ${first}-${records[Math.ceil(length / 2) - 1]!.offset} (${answers.join(', ')})`,
  };
}

function asMskRecord(record: TopicRecord) {
  return toMskRecord(
    {
      topic: record.topic,
      partition: record.partition,
      offset: BigInt(record.offset),
      timestamp: BigInt(record.timestamp),
      key: record.key === null ? null : Buffer.from(record.key),
      value: record.value === null ? null : Buffer.from(record.value),
      headers: Object.entries(record.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const),
    },
    'CREATE_TIME',
  );
}

/** `npm run redrive -- --reason RetriesExhausted`, as a library: what the mappings gave up, back to its topics. */
async function redriveGivenUp(bootstrap: string, log: (line: string) => void): Promise<RedriveResult> {
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(`  redrive: ${line.trim()}`);
      done();
    },
  });
  const cluster = { bootstrap: [bootstrap], iam: false };
  return redrive(
    resolveCluster(cluster),
    {
      mode: 'redrive',
      selection: { reason: 'RetriesExhausted' },
      deadLetterTopic: TOPICS.deadLetter.name,
      cluster,
      json: false,
    },
    { stderr: lines as unknown as NodeJS.WriteStream },
  );
}

/** The outbox sweeper once, with no age threshold: the run's outage is over, anything unmarked goes. */
async function sweepOutboxOnce(dynamodbEndpoint: string, bootstrap: string): Promise<SweepReport> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodbEndpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const publisher = new KafkaEventPublisher({
    bootstrapBrokers: [bootstrap],
    auth: 'plaintext',
    clientId: functionName('outboxSweeper'),
  });
  try {
    return await sweepOutbox(
      { outbox: new DynamoDbOutboxStore(client, localTableName('outbox')), publisher, now: () => new Date() },
      { olderThanMs: 0, limit: 500 },
    );
  } finally {
    await publisher.close();
    client.destroy();
  }
}

/** The reconciler, listing only (`npm run reconcile` without --finish): claims billing will not carry out again. */
async function claimsForOperator(dynamodbEndpoint: string): Promise<ChaosReport['needsOperator']> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodbEndpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    const report = await reconcileClaims(
      {
        payments: new DynamoDbPaymentStore(client, localTableName('payments')),
        provider: new SimulatedPaymentProvider(),
        publisher: { publish: () => Promise.reject(new Error('the reconciler only lists here')) },
        now: () => new Date(),
        providerKeyTrustMs: keyTrustMs(PROVIDER_FORGETS_KEYS_AFTER_SECONDS * 1000),
      },
      { olderThanMs: 0, finish: false },
    );
    return report
      .filter((c) => c.action === 'needs-operator')
      .map((c) => ({ orderId: c.order_id, claim: c.claim, status: c.status }));
  } finally {
    client.destroy();
  }
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
