import { DynamoDbOrderRepository } from '../../lambdas/order-api/adapters/dynamodb-order-repository';
import { DynamoDbOrderFactStore } from '../../lambdas/order-status/adapters/dynamodb-order-fact-store';
import { newId } from '../../lambdas/shared/ids';
import type { HistoryEntry } from '../../lambdas/shared/orders/order';
import { localDocumentClient, table } from '../support/adapters-env';
import { InMemoryOrderStore, placedOrder } from '../support/doubles/orders';

const client = localDocumentClient();
afterAll(() => client.destroy());

const paid: HistoryEntry = {
  fact: 'paid',
  at: '2025-04-07T12:34:57.120Z',
  event_id: 'evt-paid',
  event_type: 'BillingOutcome',
};

const inMemory = new InMemoryOrderStore();

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbOrderFactStore on DynamoDB Local',
    facts: new DynamoDbOrderFactStore(client, table('orders')),
    repository: new DynamoDbOrderRepository(client, {
      ordersTable: table('orders'),
      outboxTable: table('outbox'),
      analyticsTable: table('analytics'),
    }),
  },
  { name: 'InMemoryOrderStore', facts: inMemory, repository: inMemory },
])('$name', ({ facts, repository }) => {
  it('GIVEN a placed order WHEN a fact is recorded THEN the fact is set and its entry appended to the history, and the order comes back', async () => {
    const order = await placedOrder(repository);

    const result = await facts.recordFact(order.order_id, 'paid', paid);

    const expected = { ...order, facts: { ...order.facts, paid: paid.at }, history: [...order.history, paid] };
    expect(result).toEqual({ kind: 'recorded', order: expected });
    expect(await repository.get(order.order_id)).toEqual(expected);
  });

  it('GIVEN a fact already recorded WHEN recorded again, from another event THEN nothing changes and the stored order comes back (ALL_OLD)', async () => {
    const order = await placedOrder(repository);
    await facts.recordFact(order.order_id, 'paid', paid);
    const stored = await repository.get(order.order_id);

    const again = await facts.recordFact(order.order_id, 'paid', {
      ...paid,
      at: '2025-04-07T13:00:00.000Z',
      event_id: 'evt-2',
    });

    expect(again).toEqual({ kind: 'duplicate', order: stored });
    expect(await repository.get(order.order_id)).toEqual(stored);
  });

  it('GIVEN no order with that id WHEN a fact is recorded THEN it is an unknown order and no item is created', async () => {
    const orderId = newId();

    expect(await facts.recordFact(orderId, 'paid', paid)).toEqual({ kind: 'unknown-order' });
    expect(await repository.get(orderId)).toBeUndefined();
  });
});
