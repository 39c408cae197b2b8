import { DynamoDbOrderFactStore } from '../../lambdas/order-status/adapters/dynamodb-order-fact-store';
import { DynamoDbOrderRepository } from '../../lambdas/order-api/adapters/dynamodb-order-repository';
import type { HistoryEntry } from '../../lambdas/shared/orders/order';
import type { OrderFact } from '../../lambdas/shared/orders/order-status';
import { readStatusesOf, readTerminalTimesOf } from '../../local/lab/demo/order-progress';
import { localDocumentClient, table } from '../support/adapters-env';
import { placedOrder } from '../support/doubles/orders';

/** How the demo and the bench watch orders: the orders table read directly, on DynamoDB Local. */
const client = localDocumentClient();
afterAll(() => client.destroy());

const facts = new DynamoDbOrderFactStore(client, table('orders'));
const repository = new DynamoDbOrderRepository(client, {
  ordersTable: table('orders'),
  outboxTable: table('outbox'),
  analyticsTable: table('analytics'),
});

const entry = (fact: OrderFact, recordedAt: string): HistoryEntry => ({
  fact,
  at: '2026-12-05T09:00:00.000Z',
  event_id: `evt-${fact}`,
  event_type: 'Test',
  recorded_at: recordedAt,
});

async function orderWith(...entries: HistoryEntry[]): Promise<string> {
  const order = await placedOrder(repository);
  for (const e of entries) await facts.recordFact(order.order_id, e.fact as OrderFact, e);
  return order.order_id;
}

describe('readTerminalTimesOf', () => {
  it('GIVEN orders shipped, refunded, declined and still reserved WHEN read THEN each terminal one comes with the recorded_at of the fact that decided its status, and the others are left out', async () => {
    const shipped = await orderWith(
      entry('paid', '2026-12-05T09:00:01.000Z'),
      entry('reserved', '2026-12-05T09:00:02.000Z'),
      entry('shipped', '2026-12-05T09:00:03.250Z'),
      // A fact recorded after the terminal one does not move the order's terminal time.
      entry('shipment_created', '2026-12-05T09:00:04.000Z'),
    );
    const refunded = await orderWith(
      entry('paid', '2026-12-05T09:00:01.000Z'),
      entry('cancelled', '2026-12-05T09:00:02.000Z'),
      entry('refunded', '2026-12-05T09:00:05.500Z'),
    );
    const declined = await orderWith(entry('payment_declined', '2026-12-05T09:00:00.125Z'));
    const reserved = await orderWith(
      entry('paid', '2026-12-05T09:00:01.000Z'),
      entry('reserved', '2026-12-05T09:00:02.000Z'),
    );

    const times = await readTerminalTimesOf(client, [shipped, refunded, declined, reserved, 'no-such-order']);

    expect(Object.fromEntries(times)).toEqual({
      [shipped]: { status: 'SHIPPED', terminalAt: Date.parse('2026-12-05T09:00:03.250Z') },
      [refunded]: { status: 'REFUNDED', terminalAt: Date.parse('2026-12-05T09:00:05.500Z') },
      [declined]: { status: 'PAYMENT_DECLINED', terminalAt: Date.parse('2026-12-05T09:00:00.125Z') },
    });
    expect((await readStatusesOf(client, [reserved])).get(reserved)).toBe('RESERVED');
  });

  it('GIVEN more orders than one BatchGetItem takes WHEN read THEN every one comes back', async () => {
    const ids = await Promise.all(
      Array.from({ length: 130 }, () => orderWith(entry('payment_declined', '2026-12-05T09:00:00.000Z'))),
    );

    expect((await readTerminalTimesOf(client, ids)).size).toBe(130);
  });

  it('GIVEN a terminal order whose deciding fact has no recorded_at WHEN read THEN it fails, naming the order', async () => {
    const { recorded_at: _, ...withoutTime } = entry('payment_declined', '');
    const orderId = await orderWith(withoutTime);

    await expect(readTerminalTimesOf(client, [orderId])).rejects.toThrow(orderId);
  });
});
