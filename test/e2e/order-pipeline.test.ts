import { randomUUID } from 'node:crypto';
import { archivedRecords } from '../../lambdas/archive/archive-format';
import type { OrderCreated } from '../../lambdas/shared/contracts/events';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { checkInvariants, SnapshotView } from '../../local/lab/demo/invariants';
import { committedOffsets, endOffsets, readTopic } from '../../local/lab/demo/kafka-inspect';
import { readOrderStatuses } from '../../local/lab/demo/order-progress';
import { takeSnapshot } from '../../local/lab/demo/snapshot';
import type { Assembly } from '../../local/runtime/runner';
import type { ManagedProcess } from '../../local/runtime/services/process';
import { e2eEnvironment } from '../support/e2e-env';
import {
  eventually,
  getItem,
  getOrderView,
  loadTestAssembly,
  orderTerminalStatus,
  postOrder,
  putItem,
  startRunnerProcess,
  startTestRunner,
  TestApp,
  TEST_PRICE_USD,
  synthesizedApp,
  waitUntilQuiet,
  APP_SETUP_TIMEOUT_MS,
  pipelineLock,
  produceRecords,
  type TestRecord,
} from '../support/e2e-pipeline';

/**
 * The order pipeline end to end on the real components the e2e globalSetup started: the
 * synthesized app's bundles under the local event source mapping runner, fed by a real Kafka
 * broker, with DynamoDB Local and the S3 stand-in. Every check reads DynamoDB, Kafka and S3.
 *
 * The scenarios run in order in one file: they share one broker, one set of consumer groups and
 * one runner, as a deployment does. Each uses its own products so its stock is its own.
 */
const env = e2eEnvironment();

const PRODUCTS = {
  happy: 'e2e-happy',
  declined: 'e2e-declined',
  scarce: 'e2e-last-unit',
  race: 'e2e-race',
  poison: 'e2e-poison',
  crash: 'e2e-crash',
  traced: 'e2e-traced',
} as const;
const STOCK = { happy: 10, declined: 10, scarce: 1, race: 1, poison: 10, crash: 1_000, traced: 10 } as const;

const SCENARIO_TIMEOUT_MS = 120_000;

let cdkOut: string;
let assembly: Assembly;
/** Its runner is swapped while the crash scenario runs its runners in child processes. */
let app: TestApp;
const lock = pipelineLock(env);

/** The order sends the price the catalog shows. */
const order = (productId: string, quantity: number, paymentMethod = 'credit_card') => ({
  user_id: 'e2e-user',
  items: [{ product_id: productId, quantity, unit_price: TEST_PRICE_USD }],
  currency: 'USD',
  payment_method: paymentMethod,
});

async function placeOrder(body: unknown): Promise<string> {
  const placed = await postOrder(app.api.url, body);
  expect(placed.status).toBe(202);
  return placed.body.order_id!;
}

const terminalStatus = (orderId: string, timeoutMs = SCENARIO_TIMEOUT_MS) =>
  orderTerminalStatus(app.api.url, orderId, { timeoutMs });

const available = async (productId: string) => (await getItem(env, 'stock', { product_id: productId }))?.available;

beforeAll(async () => {
  cdkOut = await synthesizedApp(env);
  assembly = await loadTestAssembly(cdkOut);
  await lock.acquire();
  app = await TestApp.start(
    env,
    assembly,
    (Object.keys(PRODUCTS) as (keyof typeof PRODUCTS)[]).map((k) => ({ product_id: PRODUCTS[k], quantity: STOCK[k] })),
    'e2e',
  );
}, APP_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await app?.stop();
  lock.release();
}, 60_000);

describe('order pipeline on a real Kafka broker', () => {
  let happyOrderId: string;

  it(
    'GIVEN stock and a valid card WHEN an order is placed THEN it is charged, reserved, shipped and SHIPPED',
    async () => {
      happyOrderId = await placeOrder(order(PRODUCTS.happy, 2));

      expect(await terminalStatus(happyOrderId)).toBe('SHIPPED');
      const payment = await getItem(env, 'payments', { order_id: happyOrderId });
      expect(payment).toMatchObject({ payment_status: 'paid', amount: 20 });
      expect(payment?.refunded_at).toBeUndefined();
      expect(await getItem(env, 'reservations', { order_id: happyOrderId })).toMatchObject({ status: 'reserved' });
      const shipment = await getItem(env, 'shipments', { order_id: happyOrderId });
      expect([shipment?.paid_at, shipment?.reserved_at, shipment?.cancelled_at].map((v) => v !== undefined)).toEqual([
        true,
        true,
        false,
      ]);
      expect(await available(PRODUCTS.happy)).toBe(STOCK.happy - 2);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN a shipped order WHEN its records are read THEN every event of it on every topic carries one W3C trace, which its history names',
    async () => {
      const orderId = await placeOrder(order(PRODUCTS.traced, 1));
      expect(await terminalStatus(orderId)).toBe('SHIPPED');

      const topics = [
        TOPICS.orders.name,
        TOPICS.billingOutcome.name,
        TOPICS.inventoryOutcome.name,
        TOPICS.shipping.name,
      ];
      const records = (await Promise.all(topics.map((topic) => readTopic(env.kafkaBootstrap, topic))))
        .flat()
        .filter((r) => (JSON.parse(r.value ?? '{}') as { order_id?: string }).order_id === orderId);
      expect(new Set(records.map((r) => r.topic))).toEqual(new Set(topics));
      const traceIds = new Set(
        records.map((r) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-01$/.exec(r.headers.traceparent ?? '')?.[1]),
      );
      expect(traceIds.size).toBe(1);
      const [traceId] = [...traceIds];
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const stored = await getItem(env, 'orders', { order_id: orderId });
      const history = (stored?.history ?? []) as { fact: string; trace_id?: string; recorded_at?: string }[];
      expect(history.filter((h) => h.fact !== 'placed').every((h) => h.trace_id === traceId && h.recorded_at)).toBe(
        true,
      );
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN a declined card WHEN an order is placed THEN it ends PAYMENT_DECLINED with no reservation and no stock taken',
    async () => {
      const orderId = await placeOrder(order(PRODUCTS.declined, 1, 'declined_card'));

      expect(await terminalStatus(orderId)).toBe('PAYMENT_DECLINED');
      expect(await getItem(env, 'payments', { order_id: orderId })).toMatchObject({ payment_status: 'declined' });
      expect(await getItem(env, 'reservations', { order_id: orderId })).toBeUndefined();
      expect(await available(PRODUCTS.declined)).toBe(STOCK.declined);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN less stock than ordered WHEN the order is paid THEN the saga cancels and refunds it (REFUNDED) and the stock is untouched',
    async () => {
      const orderId = await placeOrder(order(PRODUCTS.scarce, STOCK.scarce + 1));

      expect(await terminalStatus(orderId)).toBe('REFUNDED');
      const payment = await getItem(env, 'payments', { order_id: orderId });
      expect(payment).toMatchObject({ payment_status: 'paid', refund_reason: expect.any(String) });
      expect(payment?.refunded_at).toEqual(expect.any(String));
      expect(await getItem(env, 'reservations', { order_id: orderId })).toMatchObject({ status: 'rejected' });
      expect(await available(PRODUCTS.scarce)).toBe(STOCK.scarce);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN one unit left WHEN two orders race for it THEN exactly one ships, the other is refunded, and stock ends at zero',
    async () => {
      const orderIds = await Promise.all([placeOrder(order(PRODUCTS.race, 1)), placeOrder(order(PRODUCTS.race, 1))]);

      const statuses = await Promise.all(orderIds.map((id) => terminalStatus(id)));
      expect(statuses.sort()).toEqual(['REFUNDED', 'SHIPPED']);
      expect(await available(PRODUCTS.race)).toBe(0);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN a charged order WHEN its OrderCreated is produced again at a new offset THEN it is not charged again',
    async () => {
      const before = await getItem(env, 'payments', { order_id: happyOrderId });
      const original = (await readTopic(env.kafkaBootstrap, TOPICS.orders.name)).find(
        (r) => r.value !== null && (JSON.parse(r.value) as { order_id?: string }).order_id === happyOrderId,
      )!;
      expect(original).toBeDefined();

      // Same partition, same key, same bytes: what a producer retry without idempotence writes.
      const duplicateOffset = await nextOffset(TOPICS.orders.name, original.partition);
      await produce([
        {
          topic: TOPICS.orders.name,
          partition: original.partition,
          key: original.key!,
          value: original.value!,
          headers: original.headers,
        },
      ]);
      expect(duplicateOffset).toBeGreaterThan(original.offset);
      await eventually('billing has committed past the duplicate', async () => {
        const committed = await committedOffsets(env.kafkaBootstrap, ['billing.orders']);
        const offset = committed.get('billing.orders')?.get(`${TOPICS.orders.name}-${original.partition}`) ?? -1;
        return offset > duplicateOffset ? true : undefined;
      });
      await waitUntilQuiet(env);

      expect(await getItem(env, 'payments', { order_id: happyOrderId })).toEqual(before);
      const paidOutcomes = new SnapshotView(await takeSnapshot(env))
        .distinctEvents(TOPICS.billingOutcome.name)
        .filter((e) => e.order_id === happyOrderId && e.payment_status === 'paid');
      expect(paidOutcomes).toHaveLength(1);
      expect((await getOrderView(app.api.url, happyOrderId)).body.status).toBe('SHIPPED');
      expect(await available(PRODUCTS.happy)).toBe(STOCK.happy - 2);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN a poison record between two orders in one batch WHEN billing reads the batch THEN the poison is dead-lettered with its reason and the order behind it is processed',
    async () => {
      const [first, second] = [orderCreated(PRODUCTS.poison), orderCreated(PRODUCTS.poison)];
      // The orders exist in the order service, as if placed through the API; their events come from a foreign producer.
      for (const event of [first, second]) await putOrderItem(event);
      const partition = 0;
      const poisonOffset = (await nextOffset(TOPICS.orders.name, partition)) + 1;
      await produce([
        { topic: TOPICS.orders.name, partition, key: first.order_id, value: JSON.stringify(first) },
        { topic: TOPICS.orders.name, partition, key: 'poison', value: '{"event_type": "OrderCreated", not json' },
        { topic: TOPICS.orders.name, partition, key: second.order_id, value: JSON.stringify(second) },
      ]);

      expect(await terminalStatus(second.order_id)).toBe('SHIPPED');
      expect(await terminalStatus(first.order_id)).toBe('SHIPPED');
      const deadLetter = await eventually('the poison record is dead-lettered', async () =>
        (await readTopic(env.kafkaBootstrap, TOPICS.deadLetter.name))
          .map((r) => JSON.parse(r.value!) as { source: { topic: string; offset: number }; reason: string })
          .find((d) => d.source.topic === TOPICS.orders.name && d.source.offset === poisonOffset),
      );
      expect(deadLetter.reason).toEqual(expect.stringMatching(/\S/));
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'GIVEN a runner killed mid-batch WHEN a new runner starts THEN it resumes from the committed offsets with no double effects',
    async () => {
      // Enough that the kill, at the first charge, lands with most orders still in flight; no double
      // effect is a property of each order, whatever their number.
      const orders = 20;
      // The API keeps answering from a runner without pollers; the pollers run in a child process we can kill.
      await app.runner.stop();
      app.runner = await startTestRunner(env, assembly, { pollers: false });
      let child: ManagedProcess | undefined = await startRunnerProcess(env, cdkOut, 'e2e-runner-1');
      try {
        const orderIds = await Promise.all(Array.from({ length: orders }, () => placeOrder(order(PRODUCTS.crash, 1))));
        await eventually(
          'the first orders are charged',
          async () => {
            const payments = await Promise.all(orderIds.map((id) => getItem(env, 'payments', { order_id: id })));
            return payments.some((p) => p !== undefined) ? true : undefined;
          },
          { intervalMs: 50 },
        );
        child.kill('SIGKILL');
        await child.exited;
        child = await startRunnerProcess(env, cdkOut, 'e2e-runner-2');

        await eventually(
          `all ${orders} orders are terminal`,
          async () => {
            const statuses = await readOrderStatuses(env.dynamodbEndpoint);
            return orderIds.every((id) => statuses.get(id) === 'SHIPPED') ? true : undefined;
          },
          { timeoutMs: SCENARIO_TIMEOUT_MS },
        );
        await waitUntilQuiet(env);
        const view = new SnapshotView(await takeSnapshot(env));
        const charges = view
          .distinctEvents(TOPICS.billingOutcome.name)
          .filter((e) => orderIds.includes(String(e.order_id)) && e.payment_status === 'paid');
        expect(charges).toHaveLength(orders);
        expect(new Set(charges.map((e) => e.order_id)).size).toBe(orders);
        expect(await available(PRODUCTS.crash)).toBe(STOCK.crash - orders);
      } finally {
        await child.stop();
        await app.runner.stop();
        app.runner = await startTestRunner(env, assembly);
      }
    },
    SCENARIO_TIMEOUT_MS * 2,
  );

  it(
    'GIVEN every scenario above WHEN the pipeline is quiet THEN the archive, read de-duplicated by offset, holds every record once and I1-I6 hold',
    async () => {
      await waitUntilQuiet(env, { runner: app.runner });

      const snapshot = await takeSnapshot(env);
      const results = checkInvariants(snapshot);

      expect(results.filter((r) => !r.holds).map((r) => `${r.id}: ${r.violations.join('; ')}`)).toEqual([]);
      const archived = archivedRecords(snapshot.archive.map((o) => o.lines ?? [])).records.size;
      const produced = [...snapshot.endOffsets]
        .filter(([topic]) => topic !== TOPICS.clicks.name)
        .reduce((sum, [, ends]) => sum + ends.reduce((a, b) => a + b, 0), 0);
      expect(archived).toBe(produced);
    },
    SCENARIO_TIMEOUT_MS,
  );
});

function orderCreated(productId: string): OrderCreated {
  return {
    event_type: 'OrderCreated',
    event_id: randomUUID(),
    order_id: randomUUID(),
    user_id: 'e2e-user',
    items: [{ product_id: productId, quantity: 1, unit_price: TEST_PRICE_USD }],
    amount: TEST_PRICE_USD,
    currency: 'USD',
    payment_method: 'credit_card',
    timestamp: new Date().toISOString(),
  };
}

/** The order item the order API writes for a placed order (status facts come later, from the outcomes). */
async function putOrderItem(event: OrderCreated): Promise<void> {
  await putItem(env, 'orders', {
    order_id: event.order_id,
    user_id: event.user_id,
    items: event.items,
    amount: event.amount,
    currency: event.currency,
    payment_method: event.payment_method,
    created_at: event.timestamp,
    history: [{ fact: 'placed', at: event.timestamp, event_id: event.event_id, event_type: 'OrderCreated' }],
  });
}

/** The offset the next record written to a partition will get. */
async function nextOffset(topic: string, partition: number): Promise<number> {
  return (await endOffsets(env.kafkaBootstrap, [topic])).get(topic)![partition]!;
}

function produce(messages: TestRecord[]) {
  return produceRecords(env, 'e2e-foreign-producer', messages);
}
