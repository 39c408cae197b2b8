import { Producer, ProduceAcks } from '@platformatic/kafka';
import { TOPICS } from '../../../../lambdas/shared/contracts/topics';
import type { FaultInjector } from '../../../runtime/runner';
import { mskEvent, toMskRecord } from '../../../runtime/runner/kafka-event';
import type { LocalServices } from '../../../runtime/services';
import { sleep } from '../../../runtime/services/process';
import { resolveCluster } from '../../console/connection';
import type { DemoCloud } from '../demo-run';
import { readTopic, type TopicRecord } from '../kafka-inspect';
import { formatSeconds } from '../../format';
import {
  BROKER_DOWN_MS,
  CONSUMED_TOPICS,
  DUPLICATED_ORDERS,
  FORGOTTEN_MARGIN_MS,
  NESTING_DEPTH,
  ORDERS_ON_TOPIC_TIMEOUT_MS,
  OVERSIZE_BYTES,
  PROVIDER_FORGETS_KEYS_AFTER_SECONDS,
  THROTTLING,
  throttlingRules,
} from './plan';
import type { ChaosFault } from './report';

/** The faults' injectors: each does one thing to a real component and says what it did and what it answered. */

/**
 * Four records no consumer can use, on every consumed topic: each is produced on its own, so the
 * broker's answer to each is known (a refusal is reported, not hidden).
 */
export async function produceHostileRecords(bootstrap: string): Promise<ChaosFault[]> {
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

/** DynamoDB Local halted for `outageMs`, then started on its data file; resolves with the fault and the window it was down. */
export async function haltDynamoDb(
  services: LocalServices,
  outageMs: number,
  largestBudgetMs: number,
): Promise<{ fault: ChaosFault; window: { readonly from: number; readonly to: number } }> {
  const haltedAt = Date.now();
  await services.dynamodb.halt();
  await sleep(outageMs);
  await services.dynamodb.restart();
  const to = Date.now();
  const downMs = to - haltedAt;
  return {
    fault: {
      name: 'dynamodb-outage',
      injected: downMs > largestBudgetMs,
      detail: `stopped ${formatSeconds(downMs)}, longer than the largest retry budget ${formatSeconds(largestBudgetMs)}; restarted on its data file`,
    },
    window: { from: haltedAt, to },
  };
}

/** The one broker killed (SIGKILL) and restarted on its log. */
export async function restartBroker(services: LocalServices): Promise<ChaosFault> {
  const broker = services.kafka!.nodes[0]!;
  const killedAt = Date.now();
  await broker.kill();
  await sleep(BROKER_DOWN_MS);
  await broker.restart();
  return {
    name: 'broker-restart',
    injected: true,
    detail: `SIGKILL, back on its log after ${formatSeconds(Date.now() - killedAt)}`,
  };
}

/** The fault set in billing's environment by chaosCloudOptions, reported with the others. */
export function providerForgetsKeys(): ChaosFault {
  return {
    name: 'provider-forgets-keys',
    injected: true,
    detail: `the simulated provider forgets each idempotency key ${PROVIDER_FORGETS_KEYS_AFTER_SECONDS} s after its first use`,
  };
}

/**
 * Throttling bursts on the notification function's SES sends and on its table, answered by the
 * local AWS gateway (the runner's fault injector) from now for THROTTLING.windowMs. `report()`
 * gives each fault with the calls it throttled; without the gateway (--no-enforce) nothing can be
 * injected, which the report says.
 */
export function startThrottling(faults: FaultInjector | undefined): { report(): ChaosFault[] } {
  const rules = throttlingRules(Date.now());
  for (const rule of rules) faults?.inject(rule);
  const { bursts, windowMs } = THROTTLING;
  return {
    report: () => {
      const counts = faults?.injected() ?? {};
      return rules.map((rule) => {
        const count = counts[rule.name] ?? 0;
        const what = rule.service === 'ses' ? 'SES v2 SendEmail' : `DynamoDB calls on table ${rule.resource}`;
        return {
          name: rule.name,
          injected: count > 0,
          count,
          detail: faults
            ? `${count} ${what} of the notification function throttled (bursts ${formatSeconds(bursts.onMs)} on, ` +
              `${formatSeconds(bursts.offMs)} off, for ${formatSeconds(windowMs)})`
            : 'not injected: throttling is answered by the enforcement gateway, off in this run (--no-enforce)',
        };
      });
    },
  };
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

export const isRunOrder = (r: TopicRecord) =>
  r.value?.includes('"OrderCreated"') === true && r.key !== null && !r.key.startsWith('chaos-');

/**
 * Every record of the orders topic, once the OrderCreated records of at least `expected` of the
 * run's orders (keyed by order id) are there: the outbox relay publishes them moments after the
 * API accepts them, and a fault injected before they are on the topic would prove nothing.
 */
export async function ordersTopicHolding(bootstrap: string, expected: number): Promise<TopicRecord[]> {
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
export async function duplicateOrders(bootstrap: string, runOrders: readonly TopicRecord[]): Promise<ChaosFault> {
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
export async function overlapArchiveBatches(
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
