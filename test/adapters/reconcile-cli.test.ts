import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPaymentStore } from '../../lambdas/billing/adapters/dynamodb-payment-store';
import { chargeClaim } from '../support/doubles/payments';
import { billingPaymentProvider, type BillingProvider } from '../../lambdas/billing/provider';
import { UsageError } from '../../local/lab/cli';
import {
  formatReconcile,
  parseReconcileArgs,
  runReconcile,
  type ReconcileCliOptions,
} from '../../local/lab/console/reconcile';
import { localDocumentClient, uniqueId } from '../support/adapters-env';
import { RecordingPublisher } from '../support/doubles/publisher';

/**
 * `npm run reconcile`'s logic on DynamoDB Local. Each test has a payments table of its own: the
 * reconciler scans the whole ledger, and other test files write claims to the shared one.
 */
const client = localDocumentClient();
const tables: string[] = [];
afterAll(async () => {
  for (const TableName of tables) await client.send(new DeleteTableCommand({ TableName }));
  client.destroy();
});

async function ledger() {
  const TableName = uniqueId('payments-reconcile');
  await client.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'order_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  tables.push(TableName);
  const payments = new DynamoDbPaymentStore(client, TableName);
  const stored = async (orderId: string) =>
    (await client.send(new GetCommand({ TableName, Key: { order_id: orderId }, ConsistentRead: true }))).Item;
  return { table: TableName, payments, stored };
}

const claim = (order_id: string, requested_at: string) => chargeClaim(order_id, { requested_at });

const options = (table: string, overrides: Partial<ReconcileCliOptions> = {}): ReconcileCliOptions => ({
  ...parseReconcileArgs(['--dynamodb', 'http://127.0.0.1:1', '--table', table, '--older-than', '0']),
  ...overrides,
});

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('npm run reconcile on DynamoDB Local', () => {
  it("GIVEN billing's provider forgets keys after 10 s WHEN a claim a minute old is reconciled with --finish THEN it is left to an operator, not charged again under a 23-hour default", async () => {
    const { table, payments, stored } = await ledger();
    await payments.claimCharge(claim('o-stale', minutesAgo(1)));
    const statement: unknown[] = [];
    const billing = billingPaymentProvider({ simulatedProvider: { forgetKeysAfterMs: 10_000 } }, (e) =>
      statement.push(e),
    );

    const result = await runReconcile(options(table, { finish: true }), {
      payments,
      billing,
      publisher: new RecordingPublisher(),
      now: () => new Date(),
    });

    expect(result).toMatchObject({
      mode: 'claims',
      exitCode: 1,
      claims: [{ order_id: 'o-stale', action: 'needs-operator' }],
    });
    expect(statement).toEqual([]);
    expect(await stored('o-stale')).toMatchObject({ payment_status: 'charge_requested' });
  });

  it('GIVEN a provider that does not say how long it keeps keys WHEN --finish is asked THEN it is refused before anything is read or called', async () => {
    const { table, payments } = await ledger();
    const known = billingPaymentProvider({ simulatedProvider: {} }, () => undefined);
    const unknown: BillingProvider = { ...known, keyLifetimeMs: undefined };

    await expect(
      runReconcile(options(table, { finish: true }), {
        payments,
        billing: unknown,
        publisher: new RecordingPublisher(),
        now: () => new Date(),
      }),
    ).rejects.toThrow(UsageError);
  });

  it('GIVEN two open claims of which the first fails at the provider WHEN finished THEN both are reported, the first failed with its reason, the second finished and published', async () => {
    const { table, payments, stored } = await ledger();
    await payments.claimCharge(claim('o-a-fails', minutesAgo(30)));
    await payments.claimCharge(claim('o-b-works', minutesAgo(30)));
    const billing = billingPaymentProvider({ simulatedProvider: {} }, () => undefined);
    const charge = billing.provider.charge.bind(billing.provider);
    const failing: BillingProvider = {
      ...billing,
      provider: {
        keyLifetimeMs: billing.keyLifetimeMs,
        charge: (r) => (r.idempotencyKey === 'o-a-fails' ? Promise.reject(new Error('provider 503')) : charge(r)),
        refund: (r) => billing.provider.refund(r),
        lookup: (k) => billing.provider.lookup(k),
      },
    };
    const publisher = new RecordingPublisher();

    const result = await runReconcile(options(table, { finish: true }), {
      payments,
      billing: failing,
      publisher,
      now: () => new Date(),
    });

    expect(result.mode === 'claims' && [...result.claims].sort((a, b) => a.order_id.localeCompare(b.order_id))).toEqual(
      [
        expect.objectContaining({ order_id: 'o-a-fails', action: 'failed', reason: 'Error: provider 503' }),
        expect.objectContaining({ order_id: 'o-b-works', action: 'finished', status: 'paid' }),
      ],
    );
    expect(result.exitCode).toBe(1);
    expect(formatReconcile(result, 0)).toMatch(
      /o-a-fails charge .*: failed, status charge_requested \(Error: provider 503\)/,
    );
    expect(await stored('o-b-works')).toMatchObject({ payment_status: 'paid' });
    expect(publisher.published.map((p) => p.event.order_id)).toEqual(['o-b-works']);
  });

  it('GIVEN a claim left to an operator WHEN --resolve ORDER none THEN the ledger closes it declined by a conditional completion and a declined outcome is published; a second --resolve changes nothing', async () => {
    const { table, payments, stored } = await ledger();
    await payments.claimCharge(claim('o-none', minutesAgo(3 * 24 * 60)));
    const billing = billingPaymentProvider({ simulatedProvider: {} }, () => undefined);
    const publisher = new RecordingPublisher();
    const deps = { payments, billing, publisher, now: () => new Date() };
    const resolve = parseReconcileArgs([
      '--dynamodb',
      'http://127.0.0.1:1',
      '--table',
      table,
      '--kafka',
      '127.0.0.1:9092',
      '--resolve',
      'o-none',
      'none',
    ]);

    const first = await runReconcile(resolve, deps);
    const second = await runReconcile(
      { ...resolve, resolve: { orderId: 'o-none', finding: 'paid' }, transactionId: 'txn_x' },
      deps,
    );

    expect(first).toMatchObject({
      mode: 'resolve',
      exitCode: 0,
      resolution: { action: 'resolved', status: 'declined' },
    });
    expect(second).toMatchObject({ resolution: { action: 'already-completed', status: 'declined' } });
    expect(await stored('o-none')).toMatchObject({
      payment_status: 'declined',
      transaction_id: 'no-charge:o-none',
      resolved_by: 'operator',
      resolution: 'none',
    });
    expect(publisher.published.map((p) => p.event.payment_status)).toEqual(['declined', 'declined']);
  });

  it.each([
    [['--resolve', 'o-1'], /one finding/],
    [['--resolve', 'o-1', 'maybe'], /one finding/],
    [['--resolve', 'o-1', 'none'], /--kafka/],
    [['--finish', '--resolve', 'o-1', 'none', '--kafka', 'h:1'], /does not go with --finish/],
  ])('GIVEN %j WHEN parsed THEN it is a usage error', (args, message) => {
    expect(() => parseReconcileArgs(['--dynamodb', 'http://127.0.0.1:1', ...args])).toThrow(message);
  });
});
