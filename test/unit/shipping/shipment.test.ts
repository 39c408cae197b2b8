import { TOPIC_SCHEMAS } from '../../../lambdas/shared/contracts/events';
import {
  allEventsImpliedBy,
  eventsImpliedBy,
  shipmentEventId,
  shipmentIdFor,
  shipmentStatus,
  type ShipmentFacts,
} from '../../../lambdas/shipping/shipment';
import { deterministicId } from '../../../lambdas/shared/ids';

const items = [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }];
const base: ShipmentFacts = { orderId: '12345', shipmentId: shipmentIdFor('12345') };
const PAID = '2025-04-07T12:00:01.000Z';
const RESERVED = '2025-04-07T12:00:02.000Z';
const CANCELLED = '2025-04-07T12:00:03.000Z';

describe('shipmentStatus', () => {
  it.each([
    ['nothing', {}, 'PENDING'],
    ['only reserved stock', { reservedAt: RESERVED }, 'PENDING'],
    ['a payment', { paidAt: PAID, items }, 'CREATED'],
    ['a payment and reserved stock', { paidAt: PAID, items, reservedAt: RESERVED }, 'DISPATCHED'],
    ['a payment and a cancellation', { paidAt: PAID, items, cancelledAt: CANCELLED }, 'CANCELLED'],
    ['only a cancellation', { cancelledAt: CANCELLED }, 'CANCELLED'],
    [
      'payment, reserved stock and a cancellation (the contradiction: cancellation wins)',
      { paidAt: PAID, items, reservedAt: RESERVED, cancelledAt: CANCELLED },
      'CANCELLED',
    ],
  ] as const)('GIVEN %s WHEN the status is derived THEN it is %s', (_name, facts, expected) => {
    expect(shipmentStatus({ ...base, ...facts })).toBe(expected);
  });
});

describe('eventsImpliedBy', () => {
  it('GIVEN a payment just recorded WHEN its events are derived THEN ShipmentCreated carries the items and the payment time', () => {
    const events = eventsImpliedBy({ ...base, paidAt: PAID, items }, 'paid');

    expect(events).toEqual([
      {
        event_type: 'ShipmentCreated',
        event_id: deterministicId('shipping', 'ShipmentCreated', '12345'),
        timestamp: PAID,
        order_id: '12345',
        shipment_id: deterministicId('shipment', '12345'),
        items,
      },
    ]);
    expect(events.every((e) => TOPIC_SCHEMAS.shipping.safeParse(e).success)).toBe(true);
  });

  it('GIVEN reserved stock recorded before the payment WHEN its events are derived THEN nothing is emitted yet', () => {
    expect(eventsImpliedBy({ ...base, reservedAt: RESERVED }, 'reserved')).toEqual([]);
  });

  it('GIVEN stock reserved after the payment WHEN its events are derived THEN only ShipmentDispatched is emitted, at the reservation time', () => {
    const events = eventsImpliedBy({ ...base, paidAt: PAID, items, reservedAt: RESERVED }, 'reserved');
    expect(events.map((e) => [e.event_type, e.timestamp])).toEqual([['ShipmentDispatched', RESERVED]]);
  });

  it('GIVEN a payment recorded after the stock was reserved WHEN its events are derived THEN ShipmentCreated then ShipmentDispatched are emitted', () => {
    const events = eventsImpliedBy({ ...base, paidAt: CANCELLED, items, reservedAt: RESERVED }, 'paid');
    expect(events.map((e) => [e.event_type, e.timestamp])).toEqual([
      ['ShipmentCreated', CANCELLED],
      ['ShipmentDispatched', CANCELLED],
    ]);
  });

  it('GIVEN a cancellation recorded before the payment WHEN its events are derived THEN nothing is emitted until the shipment exists', () => {
    expect(eventsImpliedBy({ ...base, cancelledAt: CANCELLED }, 'cancelled')).toEqual([]);
    expect(
      eventsImpliedBy({ ...base, cancelledAt: CANCELLED, paidAt: PAID, items }, 'paid').map((e) => e.event_type),
    ).toEqual(['ShipmentCreated', 'ShipmentCancelled']);
  });

  it('GIVEN a cancellation after reserved stock (the contradiction) WHEN its events are derived THEN only ShipmentCancelled follows, never a dispatch', () => {
    const facts = { ...base, paidAt: PAID, items, reservedAt: RESERVED, cancelledAt: CANCELLED };
    expect(eventsImpliedBy(facts, 'cancelled').map((e) => e.event_type)).toEqual(['ShipmentCancelled']);
    expect(eventsImpliedBy(facts, 'reserved')).toEqual([]);
    expect(allEventsImpliedBy(facts).map((e) => e.event_type)).toEqual(['ShipmentCreated', 'ShipmentCancelled']);
  });

  it('GIVEN the same facts twice WHEN events are derived THEN they are identical, ids and bytes', () => {
    const facts = { ...base, paidAt: PAID, items, reservedAt: RESERVED };
    expect(JSON.stringify(eventsImpliedBy(structuredClone(facts), 'paid'))).toBe(
      JSON.stringify(eventsImpliedBy(structuredClone(facts), 'paid')),
    );
  });

  it('GIVEN two orders WHEN ids are derived THEN shipment and event ids differ per order and per type', () => {
    const ids = new Set([
      shipmentIdFor('1'),
      shipmentIdFor('2'),
      shipmentEventId('ShipmentCreated', '1'),
      shipmentEventId('ShipmentCreated', '2'),
      shipmentEventId('ShipmentDispatched', '1'),
      shipmentEventId('ShipmentCancelled', '1'),
    ]);
    expect(ids.size).toBe(6);
  });
});
