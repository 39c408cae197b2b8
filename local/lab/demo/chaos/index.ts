/**
 * `npm run local -- --chaos`: the demo run with the faults listed in docs/design.md ("Chaos run") injected on the
 * real components, then what was given up re-driven and the outbox swept, and the run summed up
 * with the invariants, the record balance of every consumed topic, the provider's statement and
 * the mailbox. One file per step:
 *
 *   plan.ts      the plan (one added order whose refund is refused), the cloud's options, the faults' sizes and windows
 *   inject.ts    one injector per fault, each returning what it did (ChaosFault)
 *   recover.ts   re-drive, outbox sweep and reconciler listing, until every order is terminal
 *   verify.ts    the snapshot, the record balance, the provider's statement, I8 on the mailbox, the summary
 *   report.ts    the shapes of the report
 *
 * The faults, in order (docs/design.md, "Chaos run"):
 *   hostile records on every consumed topic, while the first half of the orders is placed;
 *   DynamoDB Local halted for longer than the whole retry budget, once the first half's orders
 *   are on the orders topic (so that consumers hold them), then started on its data file;
 *   the Kafka broker killed (SIGKILL) and restarted on its log;
 *   the second half of the orders, with one refund the provider refuses for good, under bursts of
 *   SES and notifications-table throttling that last over the next two faults;
 *   OrderCreated records produced again at new offsets, after the provider forgot their keys;
 *   two overlapping archive batches of one partition, the longer first.
 */
import type { DemoCloud } from '../demo-run';
import { seedPlan } from '../demo-run';
import { formatSeconds } from '../../format';
import { placeOrders, type AcceptedOrder } from '../order-client';
import type { DemoOrder } from '../order-generator';
import type { RunSummary } from '../summary';
import {
  duplicateOrders,
  haltDynamoDb,
  isRunOrder,
  ordersTopicHolding,
  overlapArchiveBatches,
  produceHostileRecords,
  providerForgetsKeys,
  restartBroker,
  startThrottling,
} from './inject';
import {
  CONSUMED_TOPICS,
  DUPLICATED_ORDERS,
  OUTAGE_MARGIN_MS,
  retryBudgets,
  type ChaosPlan,
  type ChaosRunOptions,
} from './plan';
import { recover } from './recover';
import type { ChaosFault } from './report';
import { verify } from './verify';

export { chaosPlan, chaosCloudOptions, type ChaosPlan, type ChaosRunOptions } from './plan';
export type { ChaosEmails, ChaosFault, ChaosReport, TopicRecordBalance } from './report';
export { chaosEmails, providerStatement, recordBalance } from './verify';

export async function runChaos(demo: DemoCloud, plan: ChaosPlan, options: ChaosRunOptions): Promise<RunSummary> {
  const started = Date.now();
  const { cloud } = demo;
  const { services } = cloud;
  const { log } = options;
  if (services.kafka?.nodes.length !== 1 || !services.dynamodb.persistent) {
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
  const outage = await haltDynamoDb(services, outageMs, budget.maxMs);
  log(`DynamoDB Local back: ${outage.fault.detail}`);
  faults.push(outage.fault);

  // 3. The broker crashes and comes back on its log.
  log('Killing the Kafka broker (SIGKILL) and restarting it...');
  faults.push(await restartBroker(services));

  // 4. The second half, on a pipeline that is whole again, while SES and the notifications table throttle.
  const throttling = startThrottling(cloud.runner.faults);
  log(`Placing the other ${plan.orders.length - half} orders, under SES and notifications-table throttling bursts...`);
  await place(plan.orders.slice(half));

  // 5. Duplicates at new offsets, reaching billing after the provider forgot their keys. Taken
  // from what is on the topic by now: records of the first half that were in flight during the
  // outage come back only through the re-drive and the sweep below.
  const ordersTopic = await ordersTopicHolding(services.kafkaBootstrap, Math.min(accepted.length, DUPLICATED_ORDERS));
  faults.push(await duplicateOrders(services.kafkaBootstrap, ordersTopic.filter(isRunOrder)));
  faults.push(providerForgetsKeys());

  // 6. Two overlapping batches of one partition, straight to the archive function.
  faults.push(await overlapArchiveBatches(demo, services.kafkaBootstrap, ordersTopic));

  // 7. Everything given up goes back to its topic; the outbox is swept; until nothing is left.
  const deadline = Date.now() + (options.timeoutMs ?? 300_000 + plan.orders.length * 1_000);
  const orderIds = accepted.map((o) => o.order_id).filter((id) => id !== plan.refusedRefundOrderId);
  const recovery = await recover(services, orderIds, deadline, log);
  faults.push(...throttling.report());

  // 8. The run summed up and checked.
  return verify(
    demo,
    plan,
    { started, accepted, refused, faults, retryBudget: { ...budget, outageMs }, outage: outage.window, recovery },
    deadline,
    log,
  );
}
