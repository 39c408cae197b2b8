import { orderView } from '../../../lambdas/shared/orders/order';
import { recordOutcome } from '../../../lambdas/order-status/record-outcome';
import { storeWithOrder } from '../../support/doubles/orders';
import { validFlows } from '../../support/events';

describe('orderView', () => {
  it('GIVEN outcomes that arrived out of order WHEN viewed THEN the history is sorted by time with the status after each step', async () => {
    const { store, order } = storeWithOrder();
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
    const { store, order } = storeWithOrder('2025-04-07T12:36:00Z');
    const [paid] = validFlows(order.order_id).shipped; // stamped 12:35:01
    await recordOutcome(paid!, store, store);

    expect(orderView(store.orders.get(order.order_id)!).history.map((h) => [h.fact, h.status])).toEqual([
      ['placed', 'PLACED'],
      ['paid', 'PAID'],
    ]);
  });

  it('GIVEN facts recorded 300, 450 and 900 ms after placement WHEN viewed THEN each step shows its time since placement and since the step before', async () => {
    const placedAt = new Date('2025-04-07T12:34:56Z');
    const { store, order } = storeWithOrder(placedAt.toISOString());
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
