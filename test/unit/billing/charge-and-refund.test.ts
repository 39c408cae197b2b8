import { chargeOrder } from '../../../lambdas/billing/charge-order';
import { REFUSED_PAYMENT_METHOD } from '../../../lambdas/billing/adapters/simulated-payment-provider';
import { isBeyondKeyLifetime } from '../../../lambdas/billing/claims';
import { reconcileClaims, resolveCharge } from '../../../lambdas/billing/reconcile-claims';
import type { ChargeOutcome } from '../../../lambdas/billing/charge-order';
import { outcomeEventId, type ChargeClaim, type Payment } from '../../../lambdas/billing/payment';
import { refundOrder } from '../../../lambdas/billing/refund-order';
import type { OrderCancelled, OrderCreated } from '../../../lambdas/shared/contracts/events';
import { InMemoryPaymentStore, LedgerKeepingProvider, type ProviderBehaviour } from '../../support/doubles/payments';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { orderCreated } from '../../support/events';

const order = (overrides: Partial<OrderCreated> = {}): OrderCreated =>
  orderCreated({
    order_id: 'order-1',
    items: [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }],
    amount: 99,
    ...overrides,
  });

/** The open claim billing writes for order() before it calls the provider. */
const openClaim = (order_id: string, at: Date): ChargeClaim => ({
  ...order({ order_id }),
  payment_status: 'charge_requested',
  requested_at: at.toISOString(),
});

const cancellation = (orderId = 'order-1'): OrderCancelled => ({
  event_type: 'OrderCancelled',
  event_id: `evt-cancel-${orderId}`,
  order_id: orderId,
  reason: 'out_of_stock',
  timestamp: '2025-04-07T12:35:00Z',
});

const HOUR_MS = 60 * 60 * 1000;

/** A provider that forgets keys after 24 hours, and a billing that trusts them for 23. */
function setup(behaviour: Omit<ProviderBehaviour, 'now' | 'forgetKeysAfterMs'> = {}) {
  const payments = new InMemoryPaymentStore();
  let clock = Date.parse('2025-04-07T12:34:57Z');
  const provider = new LedgerKeepingProvider({ ...behaviour, now: () => clock, forgetKeysAfterMs: 24 * HOUR_MS });
  const publisher = new RecordingPublisher();
  const deps = {
    payments,
    provider,
    publisher,
    now: () => new Date((clock += 1000)),
    providerKeyTrustMs: 23 * HOUR_MS,
  };
  const later = (ms: number) => (clock += ms);
  return { payments, provider, publisher, deps, later };
}

function paymentOf(outcome: ChargeOutcome): Payment {
  if (outcome.kind === 'left-for-reconciler') throw new Error('charge left for the reconciler');
  return outcome.payment;
}

/** A provider whose calls fail once (a timeout after the money may have moved), then behave. */
function crashingOnce(provider: LedgerKeepingProvider, operation: 'charge' | 'refund') {
  let crashed = false;
  const crash = <T>(call: () => Promise<T>) =>
    crashed ? call() : ((crashed = true), call().then(() => Promise.reject(new Error('provider timed out'))));
  return {
    charge: (r: Parameters<typeof provider.charge>[0]) =>
      operation === 'charge' ? crash(() => provider.charge(r)) : provider.charge(r),
    refund: (r: Parameters<typeof provider.refund>[0]) =>
      operation === 'refund' ? crash(() => provider.refund(r)) : provider.refund(r),
    lookup: (key: string) => provider.lookup(key),
  };
}

describe('chargeOrder', () => {
  it('GIVEN a new order WHEN charged THEN the ledger holds the payment and a paid outcome with the items is published', async () => {
    const { deps, payments, publisher } = setup();

    const result = await chargeOrder(order(), deps);

    expect(result.kind).toBe('charged');
    const payment = paymentOf(result);
    expect(payments.items.get('order-1')).toMatchObject({ payment_status: 'paid', amount: 99 });
    expect(publisher.published).toEqual([
      {
        topic: 'billing_outcome',
        key: 'order-1',
        event: {
          event_type: 'BillingOutcome',
          event_id: outcomeEventId('paid', 'order-1'),
          order_id: 'order-1',
          payment_status: 'paid',
          transaction_id: payment.transaction_id,
          amount: 99,
          currency: 'USD',
          items: order().items,
          timestamp: payment.charged_at,
        },
      },
    ]);
  });

  it('GIVEN a declined card WHEN charged THEN a declined outcome with the reason and without items is published', async () => {
    const { deps, publisher } = setup();

    await chargeOrder(order({ payment_method: 'declined_card' }), deps);

    const event = publisher.published[0]!.event;
    expect(event).toMatchObject({ payment_status: 'declined', reason: 'card_declined' });
    expect(event).not.toHaveProperty('items');
  });

  it('GIVEN an order already charged WHEN its OrderCreated arrives again at a new offset THEN no new charge is recorded and the same event is re-emitted', async () => {
    const { deps, payments, provider, publisher } = setup();
    await chargeOrder(order(), deps);

    const again = await chargeOrder(order({ event_id: 'evt-order-1-duplicate' }), deps);

    expect(again.kind).toBe('re-emitted');
    expect(payments.writes).toBe(2);
    expect(provider.chargeCalls).toBe(1);
    expect(provider.movements('order-1')).toEqual({ paid: 1, declined: 0, refunded: 0 });
    expect(publisher.published).toHaveLength(2);
    expect(publisher.published[1]).toEqual(publisher.published[0]);
  });

  it('GIVEN a crash after the ledger write and before the publish WHEN the record is redelivered THEN the outcome is published then, with the first timestamp', async () => {
    const { deps, payments, publisher } = setup();
    publisher.failNext = 1;

    await expect(chargeOrder(order(), deps)).rejects.toThrow('broker not available');
    expect(payments.items.has('order-1')).toBe(true);
    await chargeOrder(order(), deps);

    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]!.event.timestamp).toBe((payments.items.get('order-1') as Payment).charged_at);
  });
});

describe('chargeOrder: a charge the provider refuses for good', () => {
  it('GIVEN a payment method the provider refuses (4xx) WHEN charged THEN the ledger completes it declined with the refusal, a declined outcome is published, and a redelivery re-emits it without asking again', async () => {
    const { deps, payments, provider, publisher } = setup();

    const result = await chargeOrder(order({ payment_method: REFUSED_PAYMENT_METHOD }), deps);
    const redelivered = await chargeOrder(order({ payment_method: REFUSED_PAYMENT_METHOD }), deps);

    expect(result.kind).toBe('charged');
    expect(payments.items.get('order-1')).toMatchObject({
      payment_status: 'declined',
      transaction_id: 'refused:order-1',
      decline_reason: expect.stringContaining('refused'),
    });
    expect(publisher.published.map((p) => p.event)).toEqual([
      expect.objectContaining({ payment_status: 'declined', reason: expect.stringContaining('refused') }),
      expect.objectContaining({ payment_status: 'declined' }),
    ]);
    expect(redelivered.kind).toBe('re-emitted');
    expect(provider.chargeCalls).toBe(1);
    expect(provider.movements('order-1')).toEqual({ paid: 0, declined: 0, refunded: 0 });
  });
});

describe('isBeyondKeyLifetime', () => {
  it.each([
    ['garbled', 'yesterday'],
    ['empty', ''],
    ['missing', undefined],
  ])(
    'GIVEN a %s claim time WHEN judged THEN it counts as beyond the key lifetime (fail closed)',
    (_name, requestedAt) => {
      expect(isBeyondKeyLifetime(requestedAt, new Date('2025-04-07T12:00:00Z'), 23 * HOUR_MS)).toBe(true);
    },
  );

  it('GIVEN a claim made an hour ago WHEN judged against 23 hours THEN it is within', () => {
    expect(isBeyondKeyLifetime('2025-04-07T11:00:00Z', new Date('2025-04-07T12:00:00Z'), 23 * HOUR_MS)).toBe(false);
  });
});

describe('chargeOrder after the provider forgot its key', () => {
  it('GIVEN a charge that moved money but crashed before completing WHEN redelivered within the key lifetime THEN the provider answers from its key and the entry is completed, charged once', async () => {
    const { deps, provider, later } = setup();
    await expect(chargeOrder(order(), { ...deps, provider: crashingOnce(provider, 'charge') })).rejects.toThrow();
    later(22 * HOUR_MS);

    const redelivered = await chargeOrder(order(), deps);

    expect(redelivered.kind).toBe('charged');
    expect(provider.movements('order-1')).toEqual({ paid: 1, declined: 0, refunded: 0 });
  });

  it('GIVEN a charge that moved money but crashed before completing WHEN redelivered two days later THEN it is not charged again but left for the reconciler, and nothing is published', async () => {
    const { deps, payments, provider, publisher, later } = setup();
    await expect(chargeOrder(order(), { ...deps, provider: crashingOnce(provider, 'charge') })).rejects.toThrow();
    later(48 * HOUR_MS);

    const redelivered = await chargeOrder(order({ event_id: 'evt-order-1-replayed' }), deps);

    expect(redelivered.kind).toBe('left-for-reconciler');
    expect(provider.chargeCalls).toBe(1);
    expect(provider.movements('order-1').paid).toBe(1);
    expect(payments.items.get('order-1')).toMatchObject({ payment_status: 'charge_requested' });
    expect(publisher.published).toEqual([]);
  });
});

describe('refundOrder', () => {
  it('GIVEN a paid order WHEN cancelled THEN the ledger claims the refund, the provider refunds it and a refunded outcome is published', async () => {
    const { deps, payments, provider, publisher } = setup();
    const payment = paymentOf(await chargeOrder(order(), deps));

    const result = await refundOrder(cancellation(), deps);

    expect(result.kind).toBe('refunded');
    expect(payments.items.get('order-1')).toMatchObject({
      payment_status: 'paid',
      refund_status: 'refunded',
      refund_reason: 'out_of_stock',
      refund_transaction_id: provider.refunds[0]!.result.transaction_id,
    });
    expect(provider.movements('order-1').refunded).toBe(1);
    expect(publisher.published[1]!.event).toMatchObject({
      event_id: outcomeEventId('refunded', 'order-1'),
      payment_status: 'refunded',
      charge_transaction_id: payment.transaction_id,
      amount: 99,
      reason: 'out_of_stock',
    });
  });

  it('GIVEN a refunded order WHEN its cancellation arrives again THEN the provider is not called again and the same event is re-emitted', async () => {
    const { deps, provider, publisher } = setup();
    await chargeOrder(order(), deps);
    await refundOrder(cancellation(), deps);

    const again = await refundOrder(cancellation(), deps);

    expect(again.kind).toBe('re-emitted');
    expect(provider.refundCalls).toBe(1);
    expect(provider.movements('order-1').refunded).toBe(1);
    expect(publisher.published[2]).toEqual(publisher.published[1]);
  });

  it('GIVEN a crash after the refund claim and before the provider call WHEN the record is redelivered THEN the refund is made then, once', async () => {
    const { deps, provider, publisher } = setup();
    await chargeOrder(order(), deps);
    const crashingProvider = {
      charge: provider.charge.bind(provider),
      refund: async () => Promise.reject(new Error('provider timed out')),
      lookup: provider.lookup.bind(provider),
    };

    await expect(refundOrder(cancellation(), { ...deps, provider: crashingProvider })).rejects.toThrow('timed out');
    const redelivered = await refundOrder(cancellation(), deps);

    expect(redelivered.kind).toBe('refunded');
    expect(provider.movements('order-1').refunded).toBe(1);
    expect(publisher.published.map((p) => p.event.payment_status)).toEqual(['paid', 'refunded']);
  });

  it('GIVEN a declined order WHEN cancelled THEN nothing is refunded and nothing is published', async () => {
    const { deps, provider, publisher } = setup();
    await chargeOrder(order({ amount: 10.13 }), deps);

    const result = await refundOrder(cancellation(), deps);

    expect(result).toMatchObject({ kind: 'nothing-to-refund', payment: { payment_status: 'declined' } });
    expect(provider.refundCalls).toBe(0);
    expect(publisher.published).toHaveLength(1);
  });

  it('GIVEN an order billing never saw WHEN cancelled THEN nothing is refunded and no ledger entry is created', async () => {
    const { deps, payments, provider, publisher } = setup();

    const result = await refundOrder(cancellation('unknown-order'), deps);

    expect(result).toEqual({ kind: 'nothing-to-refund', payment: undefined });
    expect(payments.items.size).toBe(0);
    expect(provider.refundCalls).toBe(0);
    expect(publisher.published).toEqual([]);
  });

  it('GIVEN a provider that refuses the refund for good WHEN the order is cancelled, and again THEN the ledger records refund_failed with the reason, never refunded_at, and no refunded outcome is published', async () => {
    const { deps, payments, provider, publisher } = setup({ refuseRefund: () => 'charge_disputed' });
    await chargeOrder(order(), deps);

    const first = await refundOrder(cancellation(), deps);
    const again = await refundOrder(cancellation(), deps);

    expect(first.kind).toBe('refund-failed');
    expect(again.kind).toBe('refund-failed');
    expect(provider.refundCalls).toBe(1);
    const entry = payments.items.get('order-1') as Payment;
    expect(entry).toMatchObject({ refund_status: 'refund_failed', refund_failure: 'charge_disputed' });
    expect(entry.refunded_at).toBeUndefined();
    expect(publisher.published.map((p) => p.event.payment_status)).toEqual(['paid']);
  });

  it('GIVEN a refund that crashed after the provider refunded WHEN redelivered two days later THEN it is not refunded again but left for the reconciler', async () => {
    const { deps, provider, publisher, later } = setup();
    await chargeOrder(order(), deps);
    await expect(
      refundOrder(cancellation(), { ...deps, provider: crashingOnce(provider, 'refund') }),
    ).rejects.toThrow();
    later(48 * HOUR_MS);

    const redelivered = await refundOrder(cancellation(), deps);

    expect(redelivered.kind).toBe('left-for-reconciler');
    expect(provider.movements('order-1').refunded).toBe(1);
    expect(provider.refundCalls).toBe(1);
    expect(publisher.published.map((p) => p.event.payment_status)).toEqual(['paid']);
  });
});

describe('reconcileClaims: each claim on its own', () => {
  it('GIVEN two open claims and a provider that fails the first with a 503 WHEN reconciled with finish THEN the first is reported failed with the reason and the second is still finished', async () => {
    const { deps, payments, provider, later } = setup();
    for (const id of ['first', 'second']) {
      await payments.claimCharge(openClaim(id, deps.now()));
    }
    later(HOUR_MS);
    const failingFirst = {
      ...provider,
      charge: (r: Parameters<typeof provider.charge>[0]) =>
        r.idempotencyKey === 'first'
          ? Promise.reject(Object.assign(new Error('provider 503'), { statusCode: 503 }))
          : provider.charge(r),
      refund: provider.refund.bind(provider),
      lookup: provider.lookup.bind(provider),
    };

    const report = await reconcileClaims(
      { ...deps, provider: failingFirst },
      { olderThanMs: 15 * 60 * 1000, finish: true },
    );

    expect(report.map(({ order_id, action, status, reason }) => ({ order_id, action, status, reason }))).toEqual([
      { order_id: 'first', action: 'failed', status: 'charge_requested', reason: 'Error: provider 503' },
      { order_id: 'second', action: 'finished', status: 'paid', reason: undefined },
    ]);
  });

  it('GIVEN two claims near the end of the trust window and provider calls that take two hours WHEN reconciled THEN the clock is read per claim: the second, now past the window, is left to an operator', async () => {
    const { deps, payments, provider, later } = setup();
    for (const id of ['early', 'late']) {
      await payments.claimCharge(openClaim(id, deps.now()));
    }
    later(22 * HOUR_MS);
    const slow = {
      charge: async (r: Parameters<typeof provider.charge>[0]) => (later(2 * HOUR_MS), provider.charge(r)),
      refund: provider.refund.bind(provider),
      lookup: provider.lookup.bind(provider),
    };

    const report = await reconcileClaims({ ...deps, provider: slow }, { olderThanMs: 0, finish: true });

    expect(report.map(({ order_id, action }) => ({ order_id, action }))).toEqual([
      { order_id: 'early', action: 'finished' },
      { order_id: 'late', action: 'needs-operator' },
    ]);
    expect(provider.chargeOf('late')).toBeUndefined();
  });
});

describe('resolveCharge: an operator settles a claim left to them', () => {
  /** A charge that moved money (or not) and whose delivery crashed, redelivered two days later. */
  async function leftToOperator(moved: boolean) {
    const ctx = setup();
    const { deps, provider, later } = ctx;
    const failing = moved
      ? crashingOnce(provider, 'charge')
      : { ...crashingOnce(provider, 'charge'), charge: () => Promise.reject(new Error('connection reset')) };
    await expect(chargeOrder(order(), { ...deps, provider: failing })).rejects.toThrow();
    later(48 * HOUR_MS);
    expect((await chargeOrder(order(), deps)).kind).toBe('left-for-reconciler');
    return ctx;
  }

  it('GIVEN no charge at the provider WHEN resolved none THEN the claim closes as declined with the resolution, a declined outcome is published, and nothing is charged', async () => {
    const { deps, payments, provider, publisher } = await leftToOperator(false);

    const resolution = await resolveCharge({ orderId: 'order-1', finding: 'none' }, deps);

    expect(resolution).toMatchObject({ action: 'resolved', status: 'declined', provider_says: [] });
    expect(payments.items.get('order-1')).toMatchObject({
      payment_status: 'declined',
      transaction_id: 'no-charge:order-1',
      decline_reason: 'no_charge_at_provider',
      resolved_by: 'operator',
      resolution: 'none',
    });
    expect(publisher.published.map((p) => p.event.payment_status)).toEqual(['declined']);
    expect(provider.chargeCalls).toBe(0);
  });

  it('GIVEN a paid charge at the provider WHEN resolved none THEN it is refused from the lookup and nothing is written or published', async () => {
    const { deps, payments, publisher } = await leftToOperator(true);

    const resolution = await resolveCharge({ orderId: 'order-1', finding: 'none' }, deps);

    expect(resolution).toMatchObject({ action: 'refused', reason: expect.stringContaining('paid charge') });
    expect(payments.items.get('order-1')).toMatchObject({ payment_status: 'charge_requested' });
    expect(publisher.published).toEqual([]);
  });

  it('GIVEN a paid charge at the provider WHEN resolved paid THEN the entry is paid with the provider transaction id and a paid outcome with the items is published; a second resolution only re-emits it', async () => {
    const { deps, payments, provider, publisher } = await leftToOperator(true);

    const resolution = await resolveCharge({ orderId: 'order-1', finding: 'paid' }, deps);
    const again = await resolveCharge({ orderId: 'order-1', finding: 'paid' }, deps);

    expect(resolution).toMatchObject({ action: 'resolved', status: 'paid' });
    expect(again).toMatchObject({ action: 'already-completed', status: 'paid' });
    expect(payments.items.get('order-1')).toMatchObject({
      payment_status: 'paid',
      transaction_id: provider.chargeOf('order-1')!.transaction_id,
      resolution: 'paid',
    });
    expect(publisher.published.map((p) => p.event)).toEqual([
      expect.objectContaining({ payment_status: 'paid', items: order().items }),
      expect.objectContaining({ payment_status: 'paid' }),
    ]);
  });

  it('GIVEN a provider that cannot tell WHEN resolved paid without a transaction id THEN it is refused; with one it is recorded', async () => {
    const { deps, payments } = await leftToOperator(true);
    const blind = {
      ...deps,
      provider: {
        ...deps.provider,
        lookup: async () => undefined,
        charge: deps.provider.charge.bind(deps.provider),
        refund: deps.provider.refund.bind(deps.provider),
      },
    };

    expect(await resolveCharge({ orderId: 'order-1', finding: 'paid' }, blind)).toMatchObject({ action: 'refused' });
    expect(
      await resolveCharge({ orderId: 'order-1', finding: 'paid', transactionId: 'txn_seen' }, blind),
    ).toMatchObject({
      action: 'resolved',
    });
    expect(payments.items.get('order-1')).toMatchObject({ payment_status: 'paid', transaction_id: 'txn_seen' });
  });
});

describe('reconcileClaims', () => {
  it('GIVEN a fresh charge claim, an older one within the key lifetime and one beyond it WHEN reconciled with finish THEN the older is finished once, the one beyond is left to an operator, the fresh one is not listed', async () => {
    const { deps, payments, provider, later } = setup();
    const crashing = { ...deps, provider: crashingOnce(provider, 'charge') };
    await expect(chargeOrder(order({ order_id: 'stale' }), crashing)).rejects.toThrow();
    later(30 * HOUR_MS);
    await expect(
      chargeOrder(order({ order_id: 'older' }), { ...deps, provider: crashingOnce(provider, 'charge') }),
    ).rejects.toThrow();
    later(HOUR_MS);
    await payments.claimCharge(openClaim('fresh', deps.now()));

    const report = await reconcileClaims(deps, { olderThanMs: 15 * 60 * 1000, finish: true });

    expect(report.map(({ order_id, action, status }) => ({ order_id, action, status }))).toEqual([
      { order_id: 'stale', action: 'needs-operator', status: 'charge_requested' },
      { order_id: 'older', action: 'finished', status: 'paid' },
    ]);
    expect(provider.movements('older').paid).toBe(1);
    expect(provider.movements('stale').paid).toBe(1);
    expect(provider.chargeOf('fresh')).toBeUndefined();
  });

  it('GIVEN a refund claim within the key lifetime WHEN reconciled without finish THEN it is only listed and nothing moves', async () => {
    const { deps, payments, provider, later } = setup();
    await chargeOrder(order(), deps);
    await payments.claimRefund('order-1', 'out_of_stock', deps.now().toISOString());
    later(HOUR_MS);

    const report = await reconcileClaims(deps, { olderThanMs: 15 * 60 * 1000, finish: false });

    expect(report).toEqual([expect.objectContaining({ order_id: 'order-1', claim: 'refund', action: 'listed' })]);
    expect(provider.refundCalls).toBe(0);
  });
});
