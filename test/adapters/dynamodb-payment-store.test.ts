import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPaymentStore } from '../../lambdas/billing/adapters/dynamodb-payment-store';
import type { Payment } from '../../lambdas/billing/payment';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryPaymentStore } from '../support/doubles/payments';

const client = localDocumentClient();
afterAll(() => client.destroy());

const payment = (order_id: string, overrides: Partial<Payment> = {}): Payment => ({
  order_id,
  payment_status: 'paid',
  transaction_id: `txn_${order_id}`,
  amount: 49.5,
  currency: 'USD',
  items: [{ product_id: 'abc', quantity: 1, unit_price: 49.5 }],
  charged_at: '2025-04-07T12:34:57.120Z',
  ...overrides,
});
const inMemory = new InMemoryPaymentStore();

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  {
    name: 'DynamoDbPaymentStore on DynamoDB Local',
    store: new DynamoDbPaymentStore(client, table('payments')),
    stored: async (orderId: string) =>
      (
        await client.send(
          new GetCommand({ TableName: table('payments'), Key: { order_id: orderId }, ConsistentRead: true }),
        )
      ).Item,
  },
  { name: 'InMemoryPaymentStore', store: inMemory, stored: async (orderId: string) => inMemory.items.get(orderId) },
])('$name', ({ store, stored }) => {
  it('GIVEN no entry for the order WHEN a charge is recorded THEN it is written as given', async () => {
    const charge = payment(uniqueId('order'));

    const result = await store.recordCharge(charge);

    expect(result).toEqual({ recorded: true, payment: charge });
    expect(await stored(charge.order_id)).toEqual(charge);
  });

  it('GIVEN a recorded charge WHEN another charge of the order is recorded THEN the first one wins and comes back from the failed condition (ALL_OLD)', async () => {
    const first = payment(uniqueId('order'));
    await store.recordCharge(first);

    const second = await store.recordCharge({ ...first, payment_status: 'declined', decline_reason: 'card_declined' });

    expect(second).toEqual({ recorded: false, payment: first });
    expect(await stored(first.order_id)).toEqual(first);
  });

  it('GIVEN 5 deliveries of one order charged at once WHEN recorded THEN exactly one is recorded and all agree on it', async () => {
    const orderId = uniqueId('order');

    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => store.recordCharge(payment(orderId, { transaction_id: `txn_${i}` }))),
    );

    expect(results.filter((r) => r.recorded)).toHaveLength(1);
    expect(new Set(results.map((r) => r.payment.transaction_id)).size).toBe(1);
    expect((await stored(orderId))!.transaction_id).toBe(results[0]!.payment.transaction_id);
  });

  it('GIVEN a paid entry WHEN the refund is claimed twice THEN the first claim sets refunded_at and the second finds it already refunded', async () => {
    const charge = payment(uniqueId('order'));
    await store.recordCharge(charge);

    const first = await store.claimRefund(charge.order_id, 'out_of_stock', '2025-04-07T12:35:02.000Z');
    const second = await store.claimRefund(charge.order_id, 'out_of_stock', '2025-04-07T12:36:00.000Z');

    const refunded = { ...charge, refunded_at: '2025-04-07T12:35:02.000Z', refund_reason: 'out_of_stock' };
    expect(first).toEqual({ kind: 'claimed', payment: refunded });
    expect(second).toEqual({ kind: 'already-refunded', payment: refunded });
    expect(await stored(charge.order_id)).toEqual(refunded);
  });

  it('GIVEN a declined entry WHEN a refund is claimed THEN it is not refundable and the entry comes back unchanged', async () => {
    const declined = payment(uniqueId('order'), { payment_status: 'declined', decline_reason: 'card_declined' });
    await store.recordCharge(declined);

    const claim = await store.claimRefund(declined.order_id, 'out_of_stock', '2025-04-07T12:35:02.000Z');

    expect(claim).toEqual({ kind: 'not-refundable', payment: declined });
    expect(await stored(declined.order_id)).toEqual(declined);
  });

  it('GIVEN no entry for the order WHEN a refund is claimed THEN it is not refundable and no entry is created', async () => {
    const orderId = uniqueId('order');

    const claim = await store.claimRefund(orderId, 'out_of_stock', '2025-04-07T12:35:02.000Z');

    expect(claim).toEqual({ kind: 'not-refundable', payment: undefined });
    expect(await stored(orderId)).toBeUndefined();
  });
});
