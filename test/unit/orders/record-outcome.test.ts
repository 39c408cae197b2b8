import { recordOutcome } from '../../../lambdas/order-status/record-outcome';
import { StockChangedSchema } from '../../../lambdas/shared/contracts/events';
import { PoisonRecordError } from '../../../lambdas/shared/errors';
import { storeWithOrder } from '../../support/doubles/orders';
import { billingOutcome } from '../../support/events';

function storeWithOrderId() {
  const { store, order } = storeWithOrder();
  return { store, orderId: order.order_id };
}

describe('recordOutcome', () => {
  it('GIVEN a paid outcome WHEN recorded THEN the fact and a history line are stored with the event time, the time it was recorded and its trace id', async () => {
    const { store, orderId } = storeWithOrderId();
    const paid = billingOutcome(orderId, 'paid', 1);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

    const result = await recordOutcome(paid, store, store, { at: new Date('2025-04-07T12:34:57.250Z'), traceId });

    expect(result).toMatchObject({ kind: 'recorded', fact: 'paid' });
    expect(store.orders.get(orderId)!.facts).toEqual({ paid: paid.timestamp });
    expect(store.orders.get(orderId)!.history.at(-1)).toEqual({
      fact: 'paid',
      at: paid.timestamp,
      event_id: paid.event_id,
      event_type: 'BillingOutcome',
      recorded_at: '2025-04-07T12:34:57.250Z',
      trace_id: traceId,
    });
  });

  it('GIVEN the same outcome again, even under another event_id WHEN recorded THEN it is a duplicate and nothing changes', async () => {
    const { store, orderId } = storeWithOrderId();
    await recordOutcome(billingOutcome(orderId, 'paid', 1), store, store);
    const before = store.orders.get(orderId);

    const result = await recordOutcome(
      { ...billingOutcome(orderId, 'paid', 9), event_id: 'republished' },
      store,
      store,
    );

    expect(result.kind).toBe('duplicate');
    expect(store.orders.get(orderId)).toBe(before);
  });

  it('GIVEN an outcome for an order that does not exist WHEN recorded THEN it is a poison record naming the order', async () => {
    const { store } = storeWithOrderId();
    await expect(recordOutcome(billingOutcome('no-such-order', 'paid', 1), store, store)).rejects.toThrow(
      new PoisonRecordError('unknown order no-such-order'),
    );
  });

  it('GIVEN an event with no status meaning WHEN recorded THEN it is a poison record', async () => {
    const { store } = storeWithOrderId();
    const stockChanged = StockChangedSchema.parse({
      event_type: 'StockChanged',
      event_id: 'e1',
      product_id: 'abc',
      quantity_change: -2,
      timestamp: '2025-04-07T12:35:00Z',
    });
    await expect(recordOutcome(stockChanged, store, store)).rejects.toThrow(/StockChanged has no order status meaning/);
  });
});
