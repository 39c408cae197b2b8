import { orderView } from '../../../lambdas/shared/orders/order';
import { prepareAtSentPrices } from '../../support/doubles/orders';
import { recordOutcome } from '../../../lambdas/order-status/record-outcome';
import { InMemoryOrderStore } from '../../support/doubles/orders';
import { ITEMS, validFlows } from '../../support/events';

describe('orderView', () => {
  it('GIVEN outcomes that arrived out of order WHEN viewed THEN the history is sorted by time with the status after each step', async () => {
    const store = new InMemoryOrderStore();
    const { order } = prepareAtSentPrices({
      body: { user_id: '123', items: ITEMS, currency: 'USD', payment_method: 'credit_card' },
      now: new Date('2025-04-07T12:34:56Z'),
      newId: () => '6f1c2b9e-0d3a-4c5b-8e7f-9a0b1c2d3e4f',
    });
    store.orders.set(order.order_id, order);
    const [paid, created, reserved, dispatched] = validFlows(order.order_id).shipped;
    for (const event of [dispatched!, reserved!, paid!, created!]) await recordOutcome(event, store, store);

    const view = orderView(store.orders.get(order.order_id)!);

    expect(view).toMatchObject({ order_id: order.order_id, status: 'SHIPPED', terminal: true, amount: 111 });
    expect(view.history.map((h) => [h.fact, h.status])).toEqual([
      ['placed', 'PLACED'],
      ['paid', 'PAID'],
      ['shipment_created', 'PAID'],
      ['reserved', 'RESERVED'],
      ['shipped', 'SHIPPED'],
    ]);
  });

  it('GIVEN an outcome stamped before the order by a clock running behind WHEN viewed THEN placement still comes first', async () => {
    const store = new InMemoryOrderStore();
    const { order } = prepareAtSentPrices({
      body: { user_id: '123', items: ITEMS, currency: 'USD', payment_method: 'credit_card' },
      now: new Date('2025-04-07T12:36:00Z'),
      newId: () => '6f1c2b9e-0d3a-4c5b-8e7f-9a0b1c2d3e4f',
    });
    store.orders.set(order.order_id, order);
    const [paid] = validFlows(order.order_id).shipped; // stamped 12:35:01
    await recordOutcome(paid!, store, store);

    expect(orderView(store.orders.get(order.order_id)!).history.map((h) => [h.fact, h.status])).toEqual([
      ['placed', 'PLACED'],
      ['paid', 'PAID'],
    ]);
  });

  it('GIVEN facts recorded 300, 450 and 900 ms after placement WHEN viewed THEN each step shows its time since placement and since the step before', async () => {
    const store = new InMemoryOrderStore();
    const placedAt = new Date('2025-04-07T12:34:56Z');
    const { order } = prepareAtSentPrices({
      body: { user_id: '123', items: ITEMS, currency: 'USD', payment_method: 'credit_card' },
      now: placedAt,
      newId: () => '6f1c2b9e-0d3a-4c5b-8e7f-9a0b1c2d3e4f',
    });
    store.orders.set(order.order_id, order);
    const [paid, created, reserved] = validFlows(order.order_id).shipped;
    const after = (ms: number) => ({ at: new Date(placedAt.getTime() + ms) });
    await recordOutcome(paid!, store, store, after(300));
    await recordOutcome(created!, store, store, after(450));
    await recordOutcome(reserved!, store, store, after(900));

    const view = orderView(store.orders.get(order.order_id)!);

    expect(view.history.map((h) => [h.fact, h.since_placed_ms, h.step_ms])).toEqual([
      ['placed', 0, 0],
      ['paid', 300, 300],
      ['shipment_created', 450, 150],
      ['reserved', 900, 450],
    ]);
  });
});
