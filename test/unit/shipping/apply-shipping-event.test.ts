import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { PoisonRecordError } from '../../../lambdas/shared/errors';
import type { OutgoingEvent } from '../../../lambdas/shared/kafka/publisher';
import { applyShippingEvent } from '../../../lambdas/shipping/apply-shipping-event';
import { shipmentIdFor } from '../../../lambdas/shipping/shipment';
import { InMemoryShipmentStore } from '../../support/doubles/shipments';

const items = [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }];

const billingOutcome = (paymentStatus: 'paid' | 'declined' | 'refunded', extra: object = { items }): AnyEvent =>
  ({
    event_type: 'BillingOutcome',
    event_id: `billing-${paymentStatus}`,
    order_id: '12345',
    payment_status: paymentStatus,
    transaction_id: 'txn_1',
    amount: 99,
    currency: 'USD',
    timestamp: '2025-04-07T14:34:56+02:00',
    ...extra,
  }) as AnyEvent;

const stockReserved: AnyEvent = {
  event_type: 'StockReserved',
  event_id: 'reserved-1',
  order_id: '12345',
  items,
  timestamp: '2025-04-07T12:35:00Z',
};

function setup() {
  const store = new InMemoryShipmentStore();
  const published: OutgoingEvent[] = [];
  const deps = {
    store,
    publisher: { publish: async (events: readonly OutgoingEvent[]) => void published.push(...events) },
  };
  return { store, published, deps };
}

describe('applyShippingEvent', () => {
  it('GIVEN a paid outcome WHEN applied THEN the payment is recorded in UTC and ShipmentCreated goes to the shipping topic keyed by order_id', async () => {
    const { store, published, deps } = setup();

    const result = await applyShippingEvent(billingOutcome('paid'), deps);

    expect(result).toMatchObject({ kind: 'applied', orderId: '12345', fact: 'paid', status: 'CREATED' });
    expect(store.items.get('12345')).toEqual({
      orderId: '12345',
      shipmentId: shipmentIdFor('12345'),
      paidAt: '2025-04-07T12:34:56.000Z',
      items,
    });
    expect(published.map((p) => [p.topic, p.key, p.event.event_type])).toEqual([
      ['shipping', '12345', 'ShipmentCreated'],
    ]);
  });

  it('GIVEN a paid outcome and then reserved stock WHEN applied THEN the second publishes ShipmentDispatched', async () => {
    const { published, deps } = setup();
    await applyShippingEvent(billingOutcome('paid'), deps);

    const result = await applyShippingEvent(stockReserved, deps);

    expect(result).toMatchObject({ kind: 'applied', status: 'DISPATCHED' });
    expect(published.map((p) => p.event.event_type)).toEqual(['ShipmentCreated', 'ShipmentDispatched']);
  });

  it.each(['declined', 'refunded'] as const)(
    'GIVEN a %s outcome that slipped past the filter WHEN applied THEN nothing is recorded or published',
    async (status) => {
      const { store, published, deps } = setup();

      const result = await applyShippingEvent(billingOutcome(status, { reason: 'test' }), deps);

      expect(result).toEqual({ kind: 'not-concerned' });
      expect(store.items.size).toBe(0);
      expect(published).toEqual([]);
    },
  );

  it('GIVEN a paid outcome without items WHEN applied THEN it is a poison record with a reason naming the event', async () => {
    const { deps } = setup();
    const promise = applyShippingEvent(billingOutcome('paid', { items: undefined }), deps);
    await expect(promise).rejects.toThrow(PoisonRecordError);
    await expect(promise).rejects.toThrow('paid BillingOutcome billing-paid carries no items');
  });

  it('GIVEN an event of a topic shipping does not subscribe to WHEN applied THEN it is a poison record', async () => {
    const { deps } = setup();
    const created = { event_type: 'OrderCreated', event_id: 'o-1', order_id: '1' } as unknown as AnyEvent;
    await expect(applyShippingEvent(created, deps)).rejects.toThrow('shipping does not consume OrderCreated events');
  });

  it('GIVEN the publish failed after the write WHEN the record is redelivered THEN exactly the events of a clean delivery are published', async () => {
    const clean = setup();
    await applyShippingEvent(billingOutcome('paid'), clean.deps);
    const { store, published, deps } = setup();
    const brokerDown = { store, publisher: { publish: () => Promise.reject(new Error('broker unavailable')) } };
    await expect(applyShippingEvent(billingOutcome('paid'), brokerDown)).rejects.toThrow('broker unavailable');

    await applyShippingEvent(billingOutcome('paid'), deps);

    expect(published).toEqual(clean.published);
    expect(published).toHaveLength(1);
  });
});
