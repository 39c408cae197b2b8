import { DynamoDbOrderLookup } from '../../lambdas/notifications/adapters/dynamodb-order-lookup';
import { DynamoDbOrderFactStore } from '../../lambdas/order-status/adapters/dynamodb-order-fact-store';
import { DynamoDbOrderRepository } from '../../lambdas/order-api/adapters/dynamodb-order-repository';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { placedOrder } from '../support/doubles/orders';

const client = localDocumentClient();
afterAll(() => client.destroy());

const lookup = new DynamoDbOrderLookup(client, table('orders'));
const repository = new DynamoDbOrderRepository(client, {
  ordersTable: table('orders'),
  outboxTable: table('outbox'),
  analyticsTable: table('analytics'),
});

describe('DynamoDbOrderLookup on DynamoDB Local', () => {
  it('GIVEN an order placed by the order API and paid WHEN looked up THEN it reads back as the order service wrote it, with its facts', async () => {
    const order = await placedOrder(repository);
    await new DynamoDbOrderFactStore(client, table('orders')).recordFact(order.order_id, 'paid', {
      fact: 'paid',
      at: '2025-04-07T12:34:57.120Z',
      event_id: uniqueId('evt'),
      event_type: 'BillingOutcome',
    });

    const found = await lookup.get(order.order_id);

    expect(found).toMatchObject({
      order_id: order.order_id,
      user_id: order.user_id,
      items: order.items,
      amount: order.amount,
      currency: 'USD',
      facts: { paid: '2025-04-07T12:34:57.120Z' },
    });
  });

  it('GIVEN no order with the id WHEN looked up THEN it is undefined, not an error', async () => {
    await expect(lookup.get(uniqueId('missing'))).resolves.toBeUndefined();
  });
});
