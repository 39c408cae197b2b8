import { chargeOrder } from '../../../lambdas/billing/charge-order';
import { outcomeEventId } from '../../../lambdas/billing/payment';
import { refundOrder } from '../../../lambdas/billing/refund-order';
import type { OrderCancelled, OrderCreated } from '../../../lambdas/shared/contracts/events';
import { InMemoryPaymentStore, LedgerKeepingProvider } from '../../support/doubles/payments';
import { RecordingPublisher } from '../../support/doubles/publisher';

const order = (overrides: Partial<OrderCreated> = {}): OrderCreated => ({
  event_type: 'OrderCreated',
  event_id: 'evt-order-1',
  order_id: 'order-1',
  user_id: 'user-1',
  items: [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }],
  amount: 99,
  currency: 'USD',
  payment_method: 'credit_card',
  timestamp: '2025-04-07T12:34:56Z',
  ...overrides,
});

const cancellation = (orderId = 'order-1'): OrderCancelled => ({
  event_type: 'OrderCancelled',
  event_id: `evt-cancel-${orderId}`,
  order_id: orderId,
  reason: 'out_of_stock',
  timestamp: '2025-04-07T12:35:00Z',
});

function setup() {
  const payments = new InMemoryPaymentStore();
  const provider = new LedgerKeepingProvider();
  const publisher = new RecordingPublisher();
  let clock = Date.parse('2025-04-07T12:34:57Z');
  const deps = { payments, provider, publisher, now: () => new Date((clock += 1000)) };
  return { payments, provider, publisher, deps };
}

describe('chargeOrder', () => {
  it('GIVEN a new order WHEN charged THEN the ledger holds the payment and a paid outcome with the items is published', async () => {
    const { deps, payments, publisher } = setup();

    const result = await chargeOrder(order(), deps);

    expect(result.recorded).toBe(true);
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
          transaction_id: result.payment.transaction_id,
          amount: 99,
          currency: 'USD',
          items: order().items,
          timestamp: result.payment.charged_at,
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

    expect(again.recorded).toBe(false);
    expect(payments.writes).toBe(1);
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
    expect(publisher.published[0]!.event.timestamp).toBe(payments.items.get('order-1')!.charged_at);
  });
});

describe('refundOrder', () => {
  it('GIVEN a paid order WHEN cancelled THEN the ledger claims the refund, the provider refunds it and a refunded outcome is published', async () => {
    const { deps, payments, provider, publisher } = setup();
    const { payment } = await chargeOrder(order(), deps);

    const result = await refundOrder(cancellation(), deps);

    expect(result.kind).toBe('refunded');
    expect(payments.items.get('order-1')).toMatchObject({ payment_status: 'paid', refund_reason: 'out_of_stock' });
    expect(provider.movements('order-1').refunded).toBe(1);
    expect(publisher.published[1]!.event).toMatchObject({
      event_id: outcomeEventId('refunded', 'order-1'),
      payment_status: 'refunded',
      charge_transaction_id: payment.transaction_id,
      amount: 99,
      reason: 'out_of_stock',
    });
  });

  it('GIVEN a refunded order WHEN its cancellation arrives again THEN the provider is asked again with the same key, refunds nothing more, and the same event is re-emitted', async () => {
    const { deps, provider, publisher } = setup();
    await chargeOrder(order(), deps);
    await refundOrder(cancellation(), deps);

    const again = await refundOrder(cancellation(), deps);

    expect(again.kind).toBe('re-emitted');
    expect(provider.refundCalls).toBe(2);
    expect(provider.movements('order-1').refunded).toBe(1);
    expect(publisher.published[2]).toEqual(publisher.published[1]);
  });

  it('GIVEN a crash after the refund claim and before the provider call WHEN the record is redelivered THEN the refund is made then, once', async () => {
    const { deps, provider, publisher } = setup();
    await chargeOrder(order(), deps);
    const crashingProvider = {
      charge: provider.charge.bind(provider),
      refund: async () => Promise.reject(new Error('provider timed out')),
    };

    await expect(refundOrder(cancellation(), { ...deps, provider: crashingProvider })).rejects.toThrow('timed out');
    const redelivered = await refundOrder(cancellation(), deps);

    expect(redelivered.kind).toBe('re-emitted');
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
});
