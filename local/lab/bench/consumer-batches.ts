/**
 * The inputs of the `consumers` bench (consumers.ts): for each consumer, a batch of its real input
 * topic as its event source mapping would deliver it, built from the demo generator's orders (the
 * order API's own pricing), one record in DUPLICATE_EVERY a redelivery of an event already in the
 * batch. Pure, so that the batches' shape is tested.
 */
import { compatibilityPartitioner } from '@platformatic/kafka';
import type { MSKRecord } from 'aws-lambda';
import { DEMO_CATALOG } from '../../../lambdas/order-api/demo-catalog';
import { prepareOrder, requestFingerprint, type PreparedOrder } from '../../../lambdas/order-api/place-order';
import { DYNAMODB_COSTS, type StepCost } from '../../../lambdas/shared/contracts/dynamodb-costs';
import {
  recordKey,
  type BillingOutcome,
  type OrderCreated,
  type TopicEvent,
} from '../../../lambdas/shared/contracts/events';
import type { FunctionId } from '../../../lambdas/shared/contracts/functions';
import { TOPIC_BY_NAME, TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { deterministicId } from '../../../lambdas/shared/ids';
import type { Order } from '../../../lambdas/shared/orders/order';
import { generateDemoPlan, seededRandom, type PlannedOutcome, type StockSeed } from '../demo/order-generator';
import { toMskRecord } from '../../runtime/runner/kafka-event';

/** Every DUPLICATE_EVERY-th record repeats an event already in the batch, as a redelivery does. */
export const DUPLICATE_EVERY = 10;

/** Distinct events a batch of `records` needs: the rest are duplicates. */
export function freshEventsFor(records: number): number {
  return records - Math.floor(records / DUPLICATE_EVERY);
}

/**
 * The records of a batch on `topic`, in arrival order: keyed as the contract says (recordKey),
 * on the partition the services' producer picks (the Java client's murmur2), offsets increasing
 * by one per partition from `firstOffset`. `events` are used in order; each DUPLICATE_EVERY-th
 * record is instead one of the events already sent, picked with `random`.
 */
export function benchRecords<T extends TopicName>(
  topic: T,
  events: readonly TopicEvent<T>[],
  records: number,
  options: { readonly firstOffset: number; readonly timestamp: number; readonly random: () => number },
): MSKRecord[] {
  if (events.length < freshEventsFor(records)) {
    throw new Error(`${records} records need ${freshEventsFor(records)} distinct events; got ${events.length}`);
  }
  const partitions = TOPIC_BY_NAME[topic].partitions;
  const nextOffset = Array<number>(partitions).fill(options.firstOffset);
  const sent: TopicEvent<T>[] = [];
  const batch: MSKRecord[] = [];
  for (let n = 1; n <= records; n++) {
    const event = n % DUPLICATE_EVERY === 0 ? sent[Math.floor(options.random() * sent.length)]! : events[sent.length]!;
    if (n % DUPLICATE_EVERY !== 0) sent.push(event);
    const key = Buffer.from(recordKey(topic, event)!, 'utf8');
    const partition = compatibilityPartitioner(undefined as never, key) % partitions;
    batch.push(
      toMskRecord(
        {
          topic,
          partition,
          offset: BigInt(nextOffset[partition]!++),
          timestamp: BigInt(options.timestamp),
          key,
          value: Buffer.from(JSON.stringify(event), 'utf8'),
          headers: [],
        },
        'CREATE_TIME',
      ),
    );
  }
  return batch;
}

export interface BenchOrder extends PreparedOrder {
  readonly planned: PlannedOutcome;
}

const CATALOG = new Map(DEMO_CATALOG.map((product) => [product.product_id, product]));

/** The demo generator's orders, priced and built by the order API's own prepareOrder, and their stock. */
export function benchOrders(count: number, seed: string, now: Date): { orders: BenchOrder[]; stock: StockSeed[] } {
  const plan = generateDemoPlan(count, seed);
  const orders = plan.orders.map((demo, n) => ({
    planned: demo.planned!,
    ...prepareOrder({
      request: { ...demo.request, items: [...demo.request.items] },
      catalog: CATALOG,
      idempotencyKey: demo.idempotencyKey,
      fingerprint: requestFingerprint(demo.request),
      now,
      newId: () => deterministicId(seed, n),
    }),
  }));
  return { orders, stock: [...plan.stock] };
}

/** What billing publishes for an order the simulated provider paid or declined. */
export function billingOutcomeOf(order: Order, paid: boolean, at: Date): BillingOutcome {
  const status = paid ? 'paid' : 'declined';
  return {
    event_type: 'BillingOutcome',
    event_id: deterministicId('billing_outcome', order.order_id, status),
    timestamp: at.toISOString(),
    order_id: order.order_id,
    payment_status: status,
    transaction_id: deterministicId('transaction', order.order_id),
    amount: order.amount,
    currency: order.currency,
    ...(paid ? { items: [...order.items] } : { reason: 'card_declined' }),
  };
}

/** A consumer's input: the topic its mapping reads, the events that pass the mapping's filter. */
export interface ConsumerInput {
  readonly topic: TopicName;
  /** The events of the orders, in order; orders whose event the mapping filters out are left out. */
  events(orders: readonly BenchOrder[], at: Date): (OrderCreated | BillingOutcome)[];
  /** DynamoDB requests and item writes of a record's first delivery (dynamodb-costs.ts): where the time goes. */
  cost(order: BenchOrder): StepCost;
}

const isPaid = (order: BenchOrder) => order.planned !== 'declined';
const paidOutcomes = (orders: readonly BenchOrder[], at: Date) =>
  orders.filter(isPaid).map((o) => billingOutcomeOf(o.order, true, at));

export const CONSUMER_INPUTS = {
  billing: {
    topic: TOPICS.orders.name,
    events: (orders) => orders.map((o) => o.event),
    cost: () => DYNAMODB_COSTS.billingCharge,
  },
  // Inventory and shipping read billing_outcome through a filter that lets `paid` through only.
  inventory: {
    topic: TOPICS.billingOutcome.name,
    events: paidOutcomes,
    cost: (o) =>
      o.planned === 'out_of_stock'
        ? DYNAMODB_COSTS.inventoryOutOfStock(o.order.items.length)
        : DYNAMODB_COSTS.inventoryReserve(o.order.items.length),
  },
  shipping: {
    topic: TOPICS.billingOutcome.name,
    events: paidOutcomes,
    cost: () => DYNAMODB_COSTS.shipping,
  },
  orderStatus: {
    topic: TOPICS.billingOutcome.name,
    events: (orders, at) => orders.map((o) => billingOutcomeOf(o.order, isPaid(o), at)),
    cost: () => DYNAMODB_COSTS.orderStatus,
  },
} satisfies Partial<Record<FunctionId, ConsumerInput>>;

export type BenchedConsumer = keyof typeof CONSUMER_INPUTS;
export const BENCHED_CONSUMERS = Object.keys(CONSUMER_INPUTS) as BenchedConsumer[];

export interface ConsumerBatch {
  readonly records: MSKRecord[];
  /** The orders whose events are in the batch: the state to seed and the work to check. */
  readonly orders: BenchOrder[];
  readonly stock: StockSeed[];
  /** Mean DynamoDB cost of the batch's first deliveries. */
  readonly costPerFreshRecord: StepCost;
}

/**
 * A batch of `records` for a consumer, from orders of its own seed: two seeds never share an
 * order, so a second batch does the same work again rather than meet orders already processed.
 */
export function consumerBatch(
  consumer: BenchedConsumer,
  records: number,
  seed: string,
  now: Date,
  firstOffset = 0,
): ConsumerBatch {
  const input: ConsumerInput = CONSUMER_INPUTS[consumer];
  const fresh = freshEventsFor(records);
  // Declined orders (15 in 100 of the mix) never reach a filter on `paid`: generate enough to spare.
  const generated = benchOrders(Math.ceil(fresh * 1.5), seed, now);
  const events = input.events(generated.orders, now).slice(0, fresh);
  const ids = new Set(events.map((e) => e.order_id));
  const orders = generated.orders.filter((o) => ids.has(o.order.order_id));
  const batch = benchRecords(input.topic, events as TopicEvent<typeof input.topic>[], records, {
    firstOffset,
    timestamp: now.getTime(),
    random: seededRandom(`${seed}-duplicates`),
  });
  return {
    records: batch,
    orders,
    stock: generated.stock,
    costPerFreshRecord: {
      requests: orders.reduce((sum, o) => sum + input.cost(o).requests, 0) / orders.length,
      itemWrites: orders.reduce((sum, o) => sum + input.cost(o).itemWrites, 0) / orders.length,
    },
  };
}
