import { DynamoDbOrderRepository } from '../../lambdas/order-api/adapters/dynamodb-order-repository';
import { DynamoDbOrderFactStore } from '../../lambdas/order-status/adapters/dynamodb-order-fact-store';
import { DynamoDbStatusCounter } from '../../lambdas/order-status/adapters/dynamodb-status-counter';
import { recordOutcome } from '../../lambdas/order-status/record-outcome';
import { DynamoDbOperationsReader } from '../../lambdas/analytics-api/adapters/dynamodb-analytics-reader';
import { table, withOwnAnalyticsTable } from '../support/adapters-env';
import { preparedOrder } from '../support/doubles/orders';
import { billingOutcome, shipmentEvent, statusCounts, stockReserved } from '../support/events';

jest.setTimeout(30_000);
/** An analytics table of this file's own: the counters are global, and other files create orders too. */
const { client, analyticsTable } = withOwnAnalyticsTable('counters');

const prepared = preparedOrder;

/** The order API, the status projector and the analytics API on this file's analytics table. */
function stores() {
  return {
    repository: new DynamoDbOrderRepository(client, {
      ordersTable: table('orders'),
      outboxTable: table('outbox'),
      analyticsTable: analyticsTable(),
    }),
    facts: new DynamoDbOrderFactStore(client, table('orders')),
    counter: new DynamoDbStatusCounter(client, analyticsTable()),
    reader: new DynamoDbOperationsReader(client, {
      analyticsTable: analyticsTable(),
      notificationsTable: table('notifications'),
    }),
  };
}

describe('the orders-by-status counters on DynamoDB Local (order API, status projector, analytics API)', () => {
  it('GIVEN orders created, one of them twice, and their outcomes delivered in any order with duplicates WHEN the summary reads the counters THEN each order counts once, in its status', async () => {
    const { repository, facts, counter, reader } = stores();
    const [shipped, declined, placed] = [prepared(), prepared(), prepared()];
    for (const { order, outbox } of [shipped, declined, placed, shipped]) await repository.create(order, outbox);

    const id = shipped.order.order_id;
    const outcomes = [
      shipmentEvent(id, 'ShipmentCreated', 3),
      stockReserved(id, 2),
      billingOutcome(id, 'paid', 1),
      stockReserved(id, 2),
      shipmentEvent(id, 'ShipmentDispatched', 4),
      billingOutcome(id, 'paid', 1),
      billingOutcome(declined.order.order_id, 'declined', 1),
      billingOutcome(declined.order.order_id, 'declined', 1),
    ];
    for (const event of outcomes) await recordOutcome(event, facts, counter);

    expect(await reader.ordersByStatus()).toEqual(statusCounts({ PLACED: 1, SHIPPED: 1, PAYMENT_DECLINED: 1 }));
  });

  it('GIVEN a fact recorded but its count lost (a crash in between) WHEN the outcome is redelivered THEN the change counts, once', async () => {
    const { repository, facts, counter, reader } = stores();
    const { order, outbox } = prepared();
    await repository.create(order, outbox);
    const before = await reader.ordersByStatus();
    const crashing = { countStatusChange: () => Promise.reject(new Error('crashed')) };

    await expect(recordOutcome(billingOutcome(order.order_id, 'paid', 1), facts, crashing)).rejects.toThrow('crashed');
    await recordOutcome(billingOutcome(order.order_id, 'paid', 1), facts, counter);
    await recordOutcome(billingOutcome(order.order_id, 'paid', 1), facts, counter);

    const after = await reader.ordersByStatus();
    expect(after.PLACED - before.PLACED).toBe(-1);
    expect(after.PAID - before.PAID).toBe(1);
  });
});
