import fc from 'fast-check';
import { orderStatus } from '../../../lambdas/shared/orders/order';
import {
  deriveOrderStatus,
  factOf,
  factOfStatus,
  isTerminalStatus,
  ORDER_FACTS,
  ORDER_STATUSES,
  statusOfStoredOrder,
  TERMINAL_STATUSES,
  type OrderFact,
  type OrderStatus,
} from '../../../lambdas/shared/orders/order-status';
import { recordOutcome } from '../../../lambdas/order-status/record-outcome';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { InMemoryOrderStore, storeWithOrder } from '../../support/doubles/orders';
import { billingOutcome, orderCancelled, shipmentEvent, stockReserved, validFlows } from '../../support/events';

function placedOrder() {
  const { store, order } = storeWithOrder();
  return { store, orderId: order.order_id };
}

/** Each of a flow's `size` events at least once, some again, in any order: the indexes delivered. */
function arrivalOrder(size: number): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: size - 1 }), { maxLength: 2 * size }).chain((duplicates) => {
    const indexes = [...Array.from({ length: size }, (_, i) => i), ...duplicates];
    return fc.shuffledSubarray(indexes, { minLength: indexes.length, maxLength: indexes.length });
  });
}

/** Applies events one by one and returns the status after each. */
async function apply(store: InMemoryOrderStore, orderId: string, events: readonly AnyEvent[]) {
  const statuses: OrderStatus[] = [];
  for (const event of events) {
    await recordOutcome(event, store, store);
    statuses.push(orderStatus(store.orders.get(orderId)!));
  }
  return { statuses, order: store.orders.get(orderId)! };
}

describe('deriveOrderStatus', () => {
  it.each<[OrderFact[], OrderStatus]>([
    [[], 'PLACED'],
    [['shipment_created'], 'PLACED'],
    [['paid'], 'PAID'],
    [['paid', 'shipment_created'], 'PAID'],
    [['paid', 'reserved'], 'RESERVED'],
    [['reserved'], 'RESERVED'],
    [['paid', 'reserved', 'shipped'], 'SHIPPED'],
    [['shipped'], 'SHIPPED'],
    [['payment_declined'], 'PAYMENT_DECLINED'],
    [['paid', 'cancelled'], 'CANCELLED'],
    [['paid', 'cancelled', 'shipment_cancelled'], 'CANCELLED'],
    [['paid', 'cancelled', 'refunded'], 'REFUNDED'],
    [['refunded'], 'REFUNDED'],
    [['cancelled', 'shipped'], 'CANCELLED'],
  ])('GIVEN facts %j WHEN derived THEN the status is %s', (facts, expected) => {
    expect(deriveOrderStatus(facts)).toBe(expected);
  });

  it.each(ORDER_STATUSES.filter((s) => s !== 'PLACED'))(
    'GIVEN %s WHEN its deciding fact is asked for THEN that fact alone derives the status',
    (status) => {
      expect(deriveOrderStatus([factOfStatus(status)!])).toBe(status);
    },
  );

  it('GIVEN PLACED WHEN its deciding fact is asked for THEN there is none', () => {
    expect(factOfStatus('PLACED')).toBeUndefined();
  });

  it('GIVEN the terminal statuses WHEN listed THEN they are SHIPPED, PAYMENT_DECLINED and REFUNDED', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['PAYMENT_DECLINED', 'REFUNDED', 'SHIPPED']);
    expect(isTerminalStatus('CANCELLED')).toBe(false);
  });

  it('GIVEN any set of facts WHEN the facts are given in any order THEN the status is the same', () => {
    const factsAndPermutation = fc
      .subarray([...ORDER_FACTS])
      .chain((facts) =>
        fc.tuple(fc.constant(facts), fc.shuffledSubarray(facts, { minLength: facts.length, maxLength: facts.length })),
      );
    fc.assert(
      fc.property(factsAndPermutation, ([facts, permutation]) => {
        expect(deriveOrderStatus(permutation)).toBe(deriveOrderStatus(facts));
      }),
    );
  });
});

describe('factOf', () => {
  const id = '0b5e7c4e-3c1a-5f1e-9d7b-2a4c6e8f0a1b';
  it.each<[string, AnyEvent, OrderFact]>([
    ['paid', billingOutcome(id, 'paid', 1), 'paid'],
    ['declined', billingOutcome(id, 'declined', 1), 'payment_declined'],
    ['refunded', billingOutcome(id, 'refunded', 1), 'refunded'],
    ['StockReserved', stockReserved(id, 1), 'reserved'],
    ['OrderCancelled', orderCancelled(id, 1), 'cancelled'],
    ['ShipmentCreated', shipmentEvent(id, 'ShipmentCreated', 1), 'shipment_created'],
    ['ShipmentDispatched', shipmentEvent(id, 'ShipmentDispatched', 1), 'shipped'],
    ['ShipmentCancelled', shipmentEvent(id, 'ShipmentCancelled', 1), 'shipment_cancelled'],
  ])('GIVEN %s WHEN mapped THEN it establishes the fact %s', (_name, event, fact) => {
    expect(factOf(event)).toBe(fact);
  });
});

describe('order status under redelivery and reordering (I4)', () => {
  const flowNames = ['shipped', 'declined', 'refunded'] as const;

  it.each([
    ['shipped', ['PAID', 'PAID', 'RESERVED', 'SHIPPED']],
    ['declined', ['PAYMENT_DECLINED']],
    ['refunded', ['PAID', 'PAID', 'CANCELLED', 'CANCELLED', 'REFUNDED']],
  ] as const)(
    'GIVEN the %s flow in production order WHEN applied THEN the order moves through %j and ends terminal',
    async (flow, expected) => {
      const { store, orderId } = placedOrder();
      const { statuses } = await apply(store, orderId, validFlows(orderId)[flow]);
      expect(statuses).toEqual(expected);
      expect(statuses.filter(isTerminalStatus)).toEqual([statuses.at(-1)]);
    },
  );

  it('GIVEN any permutation with duplicates of a valid flow WHEN applied THEN status and facts equal those of the flow in order, and exactly one terminal state is ever reached', async () => {
    const arrivals = fc.constantFrom(...flowNames).chain((flow) => {
      const size = validFlows('x')[flow].length;
      return fc.tuple(fc.constant(flow), arrivalOrder(size));
    });

    await fc.assert(
      fc.asyncProperty(arrivals, async ([flow, indexes]) => {
        const expected = placedOrder();
        const inOrder = validFlows(expected.orderId)[flow];
        const reference = await apply(expected.store, expected.orderId, inOrder);

        const { store, orderId } = placedOrder();
        const events = validFlows(orderId)[flow];
        const { statuses, order } = await apply(
          store,
          orderId,
          indexes.map((i) => events[i]!),
        );

        expect(orderStatus(order)).toBe(orderStatus(reference.order));
        expect(Object.keys(order.facts).sort()).toEqual(Object.keys(reference.order.facts).sort());
        // Each fact is in the history once, however often its event arrived.
        expect(order.history).toHaveLength(1 + events.length);
        // I4: one terminal state, reached once and never left.
        const firstTerminal = statuses.findIndex(isTerminalStatus);
        expect(firstTerminal).toBeGreaterThanOrEqual(0);
        expect(new Set(statuses.slice(firstTerminal))).toEqual(new Set([orderStatus(order)]));
        expect(isTerminalStatus(orderStatus(order))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the orders-by-status counters under redelivery, reordering and crashes', () => {
  it('GIVEN any permutation with duplicates of a valid flow, some deliveries crashing between the fact and its count and redelivered later WHEN applied THEN the counters hold the order once, in its status', async () => {
    const arrivals = fc.constantFrom('shipped', 'declined', 'refunded' as const).chain((flow) => {
      const size = validFlows('x')[flow].length;
      return fc.tuple(
        fc.constant(flow),
        arrivalOrder(size),
        fc.array(fc.boolean(), { minLength: 3 * size, maxLength: 3 * size }),
      );
    });

    await fc.assert(
      fc.asyncProperty(arrivals, async ([flow, indexes, crashes]) => {
        const { store, orderId } = placedOrder();
        store.counters.set('orders_PLACED', 1);
        const events = validFlows(orderId)[flow];
        const countOnce = store.countStatusChange.bind(store);
        const pending = indexes.map((i) => events[i]!);
        for (let delivery = 0; pending.length > 0; delivery++) {
          const event = pending.shift()!;
          // A crash after the fact is recorded, before its count commits: the record comes back later.
          store.countStatusChange = crashes[delivery] ? async () => Promise.reject(new Error('crashed')) : countOnce;
          await recordOutcome(event, store, store).catch(() => pending.push(event));
        }

        const status = orderStatus(store.orders.get(orderId)!);
        expect(store.byStatus()).toEqual(Object.fromEntries(ORDER_STATUSES.map((s) => [s, s === status ? 1 : 0])));
      }),
      { numRuns: 300 },
    );
  });
});

describe('statusOfStoredOrder', () => {
  it('GIVEN an order item as stored WHEN read directly THEN its status is derived from its fact attributes', () => {
    expect(statusOfStoredOrder({ order_id: 'o', paid_at: '2025-04-07T12:35:01Z' })).toBe('PAID');
    expect(
      statusOfStoredOrder({ order_id: 'o', paid_at: 't1', cancelled_at: 't2', refunded_at: 't3', history: [] }),
    ).toBe('REFUNDED');
    expect(statusOfStoredOrder({ order_id: 'o' })).toBe('PLACED');
  });
});
