import { analyticsApiConfigFromEnv } from '../../../lambdas/analytics-api/config';
import { analyticsConfigFromEnv } from '../../../lambdas/analytics/config';
import { archiveConfigFromEnv } from '../../../lambdas/archive/config';
import { billingConfigFromEnv } from '../../../lambdas/billing/config';
import { clickApiConfigFromEnv } from '../../../lambdas/click-api/config';
import { notificationsConfigFromEnv } from '../../../lambdas/notifications/config';
import { inventoryConfigFromEnv } from '../../../lambdas/inventory/config';
import { orderApiConfigFromEnv } from '../../../lambdas/order-api/config';
import { orderStatusConfigFromEnv } from '../../../lambdas/order-status/config';
import { outboxRelayConfigFromEnv } from '../../../lambdas/outbox-relay/config';
import { outboxSweeperConfigFromEnv } from '../../../lambdas/outbox-sweeper/config';
import { restockConfigFromEnv } from '../../../lambdas/restock/config';
import type { FunctionId } from '../../../lambdas/shared/contracts/functions';
import { shippingConfigFromEnv } from '../../../lambdas/shipping/config';

type Env = Record<string, string | undefined>;

const MSK = { KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098, b-2:9098', KAFKA_AUTH: 'iam', AWS_REGION: 'eu-west-1' };
const mskConnection = (clientId: string) => ({
  bootstrapBrokers: ['b-1:9098', 'b-2:9098'],
  auth: 'iam',
  region: 'eu-west-1',
  clientId,
});
const CONSUMER = { ...MSK, KAFKA_PARTIAL_BATCH_RESPONSE: 'true' };

/** Each function's loader, the environment the CDK app gives it, and what it reads from it. */
const CASES: Record<FunctionId, { load: (env: Env) => unknown; env: Env; expected: unknown }> = {
  orderApi: {
    load: orderApiConfigFromEnv,
    env: { ORDERS_TABLE: 'orders', OUTBOX_TABLE: 'outbox', CATALOG_TABLE: 'catalog', ANALYTICS_TABLE: 'analytics' },
    expected: { ordersTable: 'orders', outboxTable: 'outbox', catalogTable: 'catalog', analyticsTable: 'analytics' },
  },
  outboxRelay: {
    load: outboxRelayConfigFromEnv,
    env: { OUTBOX_TABLE: 'outbox', ...MSK },
    expected: { kafka: mskConnection('outbox-relay'), outboxTable: 'outbox' },
  },
  outboxSweeper: {
    load: outboxSweeperConfigFromEnv,
    env: { OUTBOX_TABLE: 'outbox', OUTBOX_SWEEP_AFTER_SECONDS: '600', ...MSK },
    expected: { kafka: mskConnection('outbox-sweeper'), outboxTable: 'outbox', olderThanMs: 600_000 },
  },
  orderStatus: {
    load: orderStatusConfigFromEnv,
    env: { ORDERS_TABLE: 'orders', ANALYTICS_TABLE: 'analytics', ...CONSUMER },
    expected: {
      ordersTable: 'orders',
      analyticsTable: 'analytics',
      kafka: mskConnection('order-status'),
      partialBatchResponse: true,
    },
  },
  billing: {
    load: billingConfigFromEnv,
    env: { PAYMENTS_TABLE: 'payments', ANALYTICS_TABLE: 'analytics', ...CONSUMER },
    expected: {
      paymentsTable: 'payments',
      analyticsTable: 'analytics',
      kafka: mskConnection('billing'),
      partialBatchResponse: true,
      simulatedProvider: { forgetKeysAfterMs: undefined, refuseRefundsFor: [] },
    },
  },
  inventory: {
    load: inventoryConfigFromEnv,
    env: { STOCK_TABLE: 'stock', RESERVATIONS_TABLE: 'reservations', ANALYTICS_TABLE: 'analytics', ...CONSUMER },
    expected: {
      tables: { stock: 'stock', reservations: 'reservations' },
      analyticsTable: 'analytics',
      kafka: mskConnection('inventory'),
      partialBatchResponse: true,
    },
  },
  restock: {
    load: restockConfigFromEnv,
    env: { STOCK_TABLE: 'stock', ...MSK },
    expected: { stockTable: 'stock', kafka: mskConnection('restock') },
  },
  shipping: {
    load: shippingConfigFromEnv,
    env: { SHIPMENTS_TABLE: 'shipments', ANALYTICS_TABLE: 'analytics', ...CONSUMER },
    expected: {
      shipmentsTable: 'shipments',
      analyticsTable: 'analytics',
      kafka: mskConnection('shipping'),
      partialBatchResponse: true,
    },
  },
  archive: {
    load: archiveConfigFromEnv,
    env: { ARCHIVE_BUCKET: 'order-pipeline-archive' },
    expected: { bucket: 'order-pipeline-archive' },
  },
  clickApi: {
    load: clickApiConfigFromEnv,
    env: MSK,
    expected: { kafka: mskConnection('click-api') },
  },
  analytics: {
    load: analyticsConfigFromEnv,
    env: { ANALYTICS_TABLE: 'analytics', ...CONSUMER },
    expected: { analyticsTable: 'analytics', kafka: mskConnection('analytics'), partialBatchResponse: true },
  },
  analyticsApi: {
    load: analyticsApiConfigFromEnv,
    env: { ANALYTICS_TABLE: 'analytics', NOTIFICATIONS_TABLE: 'notifications' },
    expected: { analyticsTable: 'analytics', notificationsTable: 'notifications' },
  },
  notifications: {
    load: notificationsConfigFromEnv,
    env: {
      NOTIFICATIONS_TABLE: 'notifications',
      ORDERS_TABLE: 'orders',
      ANALYTICS_TABLE: 'analytics',
      EMAIL_TRANSPORT: 'ses',
      EMAIL_FROM: 'notifications@shop.example.org',
      SES_CONFIGURATION_SET: 'order-pipeline-dev-notifications',
      ...CONSUMER,
    },
    expected: {
      notificationsTable: 'notifications',
      ordersTable: 'orders',
      analyticsTable: 'analytics',
      from: 'notifications@shop.example.org',
      transport: { kind: 'ses', configurationSet: 'order-pipeline-dev-notifications' },
      kafka: mskConnection('notifications'),
      partialBatchResponse: true,
    },
  },
};

const requiredVariables = Object.entries(CASES).flatMap(([functionId, { env }]) =>
  Object.keys(env).map((name) => [functionId as FunctionId, name] as const),
);

describe('function configuration, read once at cold start', () => {
  it.each(Object.keys(CASES) as FunctionId[])(
    'GIVEN the environment the CDK app sets for %s WHEN read THEN every setting comes out typed',
    (functionId) => {
      const { load, env, expected } = CASES[functionId];
      expect(load(env)).toEqual(expected);
    },
  );

  it.each(requiredVariables.filter(([, name]) => name !== 'AWS_REGION'))(
    'GIVEN %s without %s WHEN read THEN the cold start fails naming the variable',
    (functionId, name) => {
      const { load, env } = CASES[functionId];
      expect(() => load({ ...env, [name]: undefined })).toThrow(`Missing required environment variable ${name}`);
    },
  );

  it('GIVEN IAM auth without AWS_REGION WHEN read THEN the cold start fails: the MSK IAM signer needs the region', () => {
    expect(() => billingConfigFromEnv({ ...CASES.billing.env, AWS_REGION: undefined })).toThrow('AWS_REGION');
  });

  it('GIVEN a local broker WHEN read THEN plaintext needs no region', () => {
    const env = { ...CASES.shipping.env, KAFKA_AUTH: 'plaintext', AWS_REGION: undefined };
    expect(shippingConfigFromEnv(env).kafka).toMatchObject({ auth: 'plaintext', region: undefined });
  });

  it.each([
    ['KAFKA_PARTIAL_BATCH_RESPONSE', 'yes', /KAFKA_PARTIAL_BATCH_RESPONSE must be one of true, false; got "yes"/],
    ['KAFKA_AUTH', 'scram', /KAFKA_AUTH must be one of iam, plaintext; got "scram"/],
  ])('GIVEN %s set to %p WHEN read THEN the cold start fails naming the rule', (name, value, message) => {
    expect(() => inventoryConfigFromEnv({ ...CASES.inventory.env, [name]: value })).toThrow(message);
  });

  it('GIVEN any email transport but the SES v2 API WHEN read THEN the cold start fails: SES is the one transport, in AWS and locally', () => {
    expect(() => notificationsConfigFromEnv({ ...CASES.notifications.env, EMAIL_TRANSPORT: 'sendmail' })).toThrow(
      /^Environment variable EMAIL_TRANSPORT must be one of ses; got "sendmail"$/,
    );
  });
});
