import { randomUUID } from 'node:crypto';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { waitForConsumers } from '../../local/lab/demo/consumer-lag';
import { committedOffsets, endOffsets } from '../../local/lab/demo/kafka-inspect';
import type { Assembly, Runner } from '../../local/runtime/runner';
import { notificationIdOfSubject } from '../../local/lab/demo/notifications-report';
import { sesEmails } from '../../local/runtime/services';
import { e2eEnvironment } from '../support/e2e-env';
import {
  eventually,
  loadTestAssembly,
  orderTerminalStatus,
  postOrder,
  startTestRunner,
  synthesizedApp,
  withMappingsEnabled,
  APP_SETUP_TIMEOUT_MS,
  pipelineLock,
  TestApp,
  TEST_PRICE_USD,
} from '../support/e2e-pipeline';

/**
 * The seed's claim on real components: with the notification consumer down, checkout does not
 * notice (orders still complete), and started again it sends every pending email, once, from
 * where its consumer groups left off. The notification mappings run in a runner of their own (the
 * rest of the app in another), so stopping that runner is the outage.
 */
const env = e2eEnvironment();
const TIMEOUT_MS = 240_000;

const run = randomUUID().slice(0, 8);
const PRODUCT = `outage-${run}`;
const SCARCE = `outage-${run}-scarce`;

let assembly: Assembly;
let app: TestApp | undefined;
let notifications: Runner | undefined;
const lock = pipelineLock(env);

const isNotifications = (m: { functionId: string }) => m.functionId === 'notifications';
const startNotifications = () =>
  startTestRunner(
    env,
    withMappingsEnabled(assembly, (m) => isNotifications(m)),
  );

/** Emails per order of this run (what the SES v2 stand-in accepted), as notification ids in arrival order. */
async function mailsOf(orderIds: readonly string[]): Promise<Map<string, string[]>> {
  const mails = new Map(orderIds.map((id) => [id, [] as string[]]));
  for (const { subject } of await sesEmails(env.sesEndpoint!)) {
    const id = notificationIdOfSubject(subject);
    const orderId = id?.slice(0, id.lastIndexOf('#'));
    if (id && orderId && mails.has(orderId)) mails.get(orderId)!.push(id.slice(id.lastIndexOf('#') + 1));
  }
  return mails;
}

const order = (productId: string, quantity: number, paymentMethod = 'credit_card') => ({
  user_id: `outage-user-${run}`,
  items: [{ product_id: productId, quantity, unit_price: TEST_PRICE_USD }],
  currency: 'USD',
  payment_method: paymentMethod,
});

async function placeAndComplete(body: unknown): Promise<{ orderId: string; status: string }> {
  const placed = await postOrder(app!.api.url, body);
  expect(placed.status).toBe(202);
  const orderId = placed.body.order_id!;
  return { orderId, status: await orderTerminalStatus(app!.api.url, orderId) };
}

/** Records on the notification mappings' topics that their groups have not committed yet. */
async function notificationBacklog(): Promise<number> {
  const subscriptions = SUBSCRIPTIONS.filter(isNotifications);
  const [ends, committed] = await Promise.all([
    endOffsets(
      env.kafkaBootstrap,
      subscriptions.map((s) => s.topic),
    ),
    committedOffsets(
      env.kafkaBootstrap,
      subscriptions.map((s) => s.consumerGroupId),
    ),
  ]);
  return subscriptions.reduce(
    (sum, s) =>
      sum +
      (ends.get(s.topic) ?? []).reduce(
        (lag, end, p) => lag + end - Math.max(0, committed.get(s.consumerGroupId)?.get(`${s.topic}-${p}`) ?? 0),
        0,
      ),
    0,
  );
}

beforeAll(async () => {
  const cdkOut = await synthesizedApp(env);
  assembly = await loadTestAssembly(cdkOut);
  await lock.acquire();
  // Everything but the notification mappings; the API invokes this runner's functions.
  app = await TestApp.start(
    env,
    withMappingsEnabled(assembly, (m) => !isNotifications(m)),
    [
      { product_id: PRODUCT, quantity: 100 },
      { product_id: SCARCE, quantity: 1 },
    ],
    `outage-${run}`,
  );
  notifications = await startNotifications();
}, APP_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await notifications?.stop();
  await app?.stop();
  lock.release();
}, 60_000);

it(
  'GIVEN the notification consumer stopped WHEN orders complete and it starts again THEN each order change gets exactly one email, in order, from where it left off',
  async () => {
    // Before the outage: the consumer is live and has committed its progress.
    const before = await placeAndComplete(order(PRODUCT, 1));
    expect(before.status).toBe('SHIPPED');
    await eventually('the emails of the order before the outage', async () => {
      const mails = (await mailsOf([before.orderId])).get(before.orderId)!;
      return mails.length >= 2;
    });
    expect((await waitForConsumers(env.kafkaBootstrap, ['notifications'], { timeoutMs: 60_000 })).lag).toBe(0);

    // The outage: checkout goes on without the notification consumer.
    await notifications!.stop();
    notifications = undefined;
    const during = await Promise.all([
      placeAndComplete(order(PRODUCT, 2)),
      placeAndComplete(order(PRODUCT, 1, 'declined_card')),
      placeAndComplete(order(SCARCE, 2)),
    ]);
    expect(during.map((o) => o.status)).toEqual(['SHIPPED', 'PAYMENT_DECLINED', 'REFUNDED']);
    const duringIds = during.map((o) => o.orderId);
    expect([...(await mailsOf(duringIds)).values()]).toEqual([[], [], []]);
    expect(await notificationBacklog()).toBeGreaterThan(0);

    // Back: the consumer catches up from its committed offsets.
    notifications = await startNotifications();
    const expected = {
      [before.orderId]: ['confirmed', 'shipped'],
      [duringIds[0]!]: ['confirmed', 'shipped'],
      [duringIds[1]!]: ['payment_declined'],
      [duringIds[2]!]: ['cancelled', 'confirmed', 'refunded'],
    };
    await eventually(
      'every pending email is sent',
      async () =>
        [...(await mailsOf(duringIds)).entries()].every(([id, mails]) => mails.length >= expected[id]!.length),
      { timeoutMs: 120_000 },
    );
    expect((await waitForConsumers(env.kafkaBootstrap, ['notifications'], { timeoutMs: 60_000 })).lag).toBe(0);

    const mails = await mailsOf([before.orderId, ...duringIds]);
    // Exactly one email per order and change: none lost, none repeated, the one before the outage not resent.
    expect(Object.fromEntries([...mails].map(([id, m]) => [id, [...m].sort()]))).toEqual(expected);
    // In order per order, although the changes come from three topics read by separate mappings.
    expect(mails.get(duringIds[0]!)).toEqual(['confirmed', 'shipped']);
    expect(mails.get(duringIds[2]!)).toEqual(['confirmed', 'cancelled', 'refunded']);
  },
  TIMEOUT_MS,
);
