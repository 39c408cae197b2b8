import { randomUUID } from 'node:crypto';
import { BillingOutcomeSchema } from '../../lambdas/shared/contracts/events';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { readTopic } from '../../local/lab/demo/kafka-inspect';
import { APP_BINDINGS } from '../../local/lab/app-bindings';
import { loadAssembly, startRunner, type Runner } from '../../local/runtime/runner';
import { e2eEnvironment } from '../support/e2e-env';
import { eventually, getItem, pipelineLock, produceRecords, synthesizedApp } from '../support/e2e-pipeline';
import { orderCreated } from '../support/events';

/**
 * The runner with the synthesized app: the run's `cdk synth` (e2eGlobalSetup), the bundles it
 * produced under the runner with every mapping of the templates, and an OrderCreated produced
 * straight to `orders` (no order API, no outbox) that billing must charge and answer on
 * `billing_outcome`. Proves the path template -> mapping -> MSK event -> bundle -> DynamoDB and
 * Kafka, with the settings `cdk deploy` would ship.
 */
const env = e2eEnvironment();
const TIMEOUT_MS = 120_000;

let runner: Runner | undefined;
const functionErrors: string[] = [];
const LOCK_TIMEOUT_MS = 300_000;
const lock = pipelineLock(env, { timeoutMs: LOCK_TIMEOUT_MS });

beforeAll(async () => {
  const cdkOut = await synthesizedApp(env);
  // The real topics and consumer groups: one runner of the whole app at a time (see pipelineLock).
  await lock.acquire();
  runner = await startRunner({
    assembly: await loadAssembly(cdkOut, APP_BINDINGS),
    endpoints: env,
    // Init and invoke errors, to explain a timeout below.
    log: (line) => /\t(ERROR)\t|Uncaught|Runtime\./.test(line) && functionErrors.push(line),
  });
}, LOCK_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await runner?.stop();
  lock.release();
});

it(
  'GIVEN the synthesized app under the runner WHEN an OrderCreated is produced to orders THEN billing charges it and publishes its outcome',
  async () => {
    const orderId = `runner-e2e-${randomUUID()}`;
    const created = orderCreated({
      event_id: `order-created-${orderId}`,
      order_id: orderId,
      user_id: 'runner-e2e',
      items: [{ product_id: 'runner-e2e-product', quantity: 2, unit_price: 10.5 }],
      amount: 21,
      timestamp: new Date().toISOString(),
    });
    await produceRecords(env, 'runner-e2e', [
      { topic: TOPICS.orders.name, key: orderId, value: JSON.stringify(created) },
    ]);

    const payment = await eventually(
      `billing records the payment of ${orderId}`,
      () => getItem(env, 'payments', { order_id: orderId }),
      { timeoutMs: 60_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; function errors: ${functionErrors.slice(0, 3).join(' | ') || 'none'}`);
    });
    // Billing publishes its outcome after it records the payment: wait for it, do not race it.
    const outcomes = await eventually(`billing publishes the outcome of ${orderId}`, async () => {
      const found = (await readTopic(env.kafkaBootstrap, TOPICS.billingOutcome.name))
        .filter((r) => r.key === orderId)
        .map((r) => BillingOutcomeSchema.parse(JSON.parse(r.value!)));
      return found.length > 0 ? found : undefined;
    });

    expect(payment).toMatchObject({ order_id: orderId });
    expect(outcomes).toEqual([
      expect.objectContaining({ event_type: 'BillingOutcome', order_id: orderId, payment_status: 'paid', amount: 21 }),
    ]);
    expect(runner!.stats().mappings.find((m) => m.id === 'BillingOrdersMapping')).toMatchObject({
      topic: TOPICS.orders.name,
      groupId: 'billing.orders',
    });
  },
  TIMEOUT_MS,
);
