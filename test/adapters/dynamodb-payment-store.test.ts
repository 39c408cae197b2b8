import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPaymentStore } from '../../lambdas/billing/adapters/dynamodb-payment-store';
import { chargeClaim } from '../support/doubles/payments';
import type { ChargeCompletion } from '../../lambdas/billing/ports';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryPaymentStore } from '../support/doubles/payments';

const client = localDocumentClient();
afterAll(() => client.destroy());

const claim = chargeClaim;
const paid = (order_id: string): ChargeCompletion => ({
  payment_status: 'paid',
  transaction_id: `txn_${order_id}`,
  charged_at: '2025-04-07T12:34:58.000Z',
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
  /** A paid entry, claimed and completed. */
  const charged = async (orderId: string) => {
    await store.claimCharge(claim(orderId));
    return (await store.completeCharge(orderId, paid(orderId))).payment;
  };

  it('GIVEN no entry for the order WHEN a charge is claimed THEN the claim is written as given', async () => {
    const intent = claim(uniqueId('order'));

    const result = await store.claimCharge(intent);

    expect(result).toEqual({ kind: 'claimed', entry: intent });
    expect(await stored(intent.order_id)).toEqual(intent);
  });

  it('GIVEN 5 deliveries of one order claimed at once WHEN written THEN exactly one claims it and the others get that claim back (ALL_OLD)', async () => {
    const orderId = uniqueId('order');

    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => store.claimCharge(claim(orderId, { requested_at: `2025-04-07T12:34:5${i}.000Z` }))),
    );

    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    const winner = results.find((r) => r.kind === 'claimed')!.entry;
    for (const r of results) expect(r.entry).toEqual(winner);
  });

  it('GIVEN a claimed charge WHEN completed twice with different answers THEN the first completion wins and the second gets it back', async () => {
    const orderId = uniqueId('order');
    await store.claimCharge(claim(orderId));

    const first = await store.completeCharge(orderId, paid(orderId));
    const second = await store.completeCharge(orderId, {
      payment_status: 'declined',
      transaction_id: 'txn_other',
      charged_at: '2025-04-07T12:35:00.000Z',
      decline_reason: 'card_declined',
    });

    const expected = { ...claim(orderId), ...paid(orderId) };
    expect(first).toEqual({ kind: 'completed', payment: expected });
    expect(second).toEqual({ kind: 'already-completed', payment: expected });
    expect(await stored(orderId)).toEqual(expected);
  });

  it('GIVEN a completed charge WHEN the charge is claimed again THEN the completed entry comes back', async () => {
    const orderId = uniqueId('order');
    const payment = await charged(orderId);

    expect(await store.claimCharge(claim(orderId))).toEqual({ kind: 'existing', entry: payment });
  });

  it('GIVEN a paid entry WHEN the refund is claimed twice THEN the first claim writes refund_requested and the second gets it back', async () => {
    const orderId = uniqueId('order');
    const payment = await charged(orderId);

    const first = await store.claimRefund(orderId, 'out_of_stock', '2025-04-07T12:35:02.000Z');
    const second = await store.claimRefund(orderId, 'out_of_stock', '2025-04-07T12:36:00.000Z');

    const requested = {
      ...payment,
      refund_status: 'refund_requested',
      refund_requested_at: '2025-04-07T12:35:02.000Z',
      refund_reason: 'out_of_stock',
    };
    expect(first).toEqual({ kind: 'claimed', payment: requested });
    expect(second).toEqual({ kind: 'existing', payment: requested });
    expect(await stored(orderId)).toEqual(requested);
  });

  it('GIVEN a requested refund WHEN completed as refunded, then as failed THEN refunded holds and the failure is not written', async () => {
    const orderId = uniqueId('order');
    await charged(orderId);
    await store.claimRefund(orderId, 'out_of_stock', '2025-04-07T12:35:02.000Z');

    const refunded = await store.completeRefund(orderId, {
      refund_status: 'refunded',
      refund_transaction_id: 'txn_refund',
      refunded_at: '2025-04-07T12:35:03.000Z',
    });
    const failed = await store.completeRefund(orderId, {
      refund_status: 'refund_failed',
      refund_failure: 'charge_disputed',
      refund_failed_at: '2025-04-07T12:35:04.000Z',
    });

    expect(refunded.kind).toBe('completed');
    expect(refunded.payment).toMatchObject({ refund_status: 'refunded', refund_transaction_id: 'txn_refund' });
    expect(failed).toEqual({ kind: 'already-completed', payment: refunded.payment });
    expect(await stored(orderId)).toEqual(refunded.payment);
  });

  it('GIVEN a charge not yet completed WHEN a refund is claimed THEN it is not refundable and the claim comes back unchanged', async () => {
    const intent = claim(uniqueId('order'));
    await store.claimCharge(intent);

    expect(await store.claimRefund(intent.order_id, 'out_of_stock', '2025-04-07T12:35:02.000Z')).toEqual({
      kind: 'not-refundable',
      payment: intent,
    });
    expect(await stored(intent.order_id)).toEqual(intent);
  });

  it('GIVEN a declined entry WHEN a refund is claimed THEN it is not refundable and the entry comes back unchanged', async () => {
    const orderId = uniqueId('order');
    await store.claimCharge(claim(orderId));
    const { payment: declined } = await store.completeCharge(orderId, {
      payment_status: 'declined',
      transaction_id: 'txn_declined',
      charged_at: '2025-04-07T12:34:58.000Z',
      decline_reason: 'card_declined',
    });

    const result = await store.claimRefund(orderId, 'out_of_stock', '2025-04-07T12:35:02.000Z');

    expect(result).toEqual({ kind: 'not-refundable', payment: declined });
    expect(await stored(orderId)).toEqual(declined);
  });

  it('GIVEN no entry for the order WHEN a refund is claimed THEN it is not refundable and no entry is created', async () => {
    const orderId = uniqueId('order');

    const result = await store.claimRefund(orderId, 'out_of_stock', '2025-04-07T12:35:02.000Z');

    expect(result).toEqual({ kind: 'not-refundable', payment: undefined });
    expect(await stored(orderId)).toBeUndefined();
  });

  it('GIVEN open and completed claims of several ages WHEN the open claims before a time are listed THEN exactly the open ones requested before it come back', async () => {
    const [oldCharge, newCharge, oldRefund, done] = ['a', 'b', 'c', 'd'].map((k) => uniqueId(`order-${k}`)) as [
      string,
      string,
      string,
      string,
    ];
    await store.claimCharge(claim(oldCharge, { requested_at: '2020-01-01T00:00:00.000Z' }));
    await store.claimCharge(claim(newCharge, { requested_at: '2999-01-01T00:00:00.000Z' }));
    await charged(oldRefund);
    await store.claimRefund(oldRefund, 'out_of_stock', '2020-01-01T00:00:01.000Z');
    await store.claimCharge(claim(done, { requested_at: '2020-01-01T00:00:00.000Z' }));
    await store.completeCharge(done, paid(done));

    const open = await store.openClaims('2021-01-01T00:00:00.000Z');

    const ours = open.map((e) => e.order_id).filter((id) => [oldCharge, newCharge, oldRefund, done].includes(id));
    expect(ours.sort()).toEqual([oldCharge, oldRefund].sort());
  });
});
