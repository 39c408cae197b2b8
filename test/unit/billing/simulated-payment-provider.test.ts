import fc from 'fast-check';
import {
  centsOf,
  DECLINED_CARD,
  REFUSED_PAYMENT_METHOD,
  SimulatedPaymentProvider,
  type ProviderStatementEntry,
} from '../../../lambdas/billing/adapters/simulated-payment-provider';
import { keyTrustMs, PROVIDER_KEY_TRUST_MS } from '../../../lambdas/billing/claims';
import { simulatedProviderSettingsFromEnv } from '../../../lambdas/billing/config';
import { PaymentRefusedError } from '../../../lambdas/billing/ports';

const provider = new SimulatedPaymentProvider();
const charge = (amount: number, payment_method = 'credit_card', idempotencyKey = 'order-1') =>
  provider.charge({ idempotencyKey, amount, currency: 'USD', payment_method });

describe('SimulatedPaymentProvider', () => {
  it('GIVEN the declined_card payment method WHEN charged THEN the payment is declined as card_declined', async () => {
    await expect(charge(99, DECLINED_CARD)).resolves.toMatchObject({ status: 'declined', reason: 'card_declined' });
  });

  it.each([0.13, 10.13, 99.13, 1234.13, 999999.13])(
    'GIVEN an amount of %p, whose cents are .13, WHEN charged THEN it is declined',
    async (amount) => {
      await expect(charge(amount)).resolves.toMatchObject({ status: 'declined', reason: 'insufficient_funds' });
    },
  );

  it.each([13, 1.3, 10.12, 10.14, 0.31, 113, 99])(
    'GIVEN an amount of %p, whose cents are not .13, WHEN charged with a card THEN it is paid',
    async (amount) => {
      await expect(charge(amount)).resolves.toMatchObject({ status: 'paid' });
    },
  );

  it('GIVEN any amount in cents WHEN its cents are computed THEN they match integer arithmetic, never float rounding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), (minorUnits) => {
        expect(centsOf(minorUnits / 100)).toBe(minorUnits % 100);
      }),
    );
  });

  it('GIVEN the same idempotency key twice WHEN charged THEN the same transaction id comes back, and another key gets another', async () => {
    const first = await charge(10, 'credit_card', 'order-1');
    const again = await charge(10, 'credit_card', 'order-1');
    const other = await charge(10, 'credit_card', 'order-2');

    expect(again).toEqual(first);
    expect(other.transaction_id).not.toBe(first.transaction_id);
    expect(first.transaction_id).toMatch(/^txn_[0-9a-f-]{36}$/);
  });

  it('GIVEN a refund key WHEN refunded twice THEN the refund transaction id is stable and differs from the charge', async () => {
    const charged = await charge(10);
    const request = {
      idempotencyKey: 'order-1:refund',
      transaction_id: charged.transaction_id,
      amount: 10,
      currency: 'USD',
    };

    const first = await provider.refund(request);

    await expect(provider.refund(request)).resolves.toEqual(first);
    expect(first.transaction_id).not.toBe(charged.transaction_id);
  });

  it('GIVEN a provider that forgets keys after 60 s WHEN the same key comes again after 61 s THEN it is a new charge with a new transaction id, stated as such', async () => {
    let now = 0;
    const statement: ProviderStatementEntry[] = [];
    const forgetful = new SimulatedPaymentProvider(
      { forgetKeysAfterMs: 60_000 },
      (e) => statement.push(e),
      () => now,
    );
    const request = { idempotencyKey: 'order-1', amount: 10, currency: 'USD', payment_method: 'credit_card' };

    const first = await forgetful.charge(request);
    now = 30_000;
    const remembered = await forgetful.charge(request);
    now = 61_000;
    const forgotten = await forgetful.charge(request);

    expect(remembered).toEqual(first);
    expect(forgotten.transaction_id).not.toBe(first.transaction_id);
    expect(statement.map((e) => e.new_request)).toEqual([true, false, true]);
  });

  it('GIVEN refunds of order-7 refused for good WHEN order-7 and order-8 are refunded THEN order-7 throws PaymentRefusedError and order-8 is refunded', async () => {
    const refusing = new SimulatedPaymentProvider({ refuseRefundsFor: ['order-7'] });
    const refund = (orderId: string) =>
      refusing.refund({ idempotencyKey: `${orderId}:refund`, transaction_id: 'txn_1', amount: 10, currency: 'USD' });

    await expect(refund('order-7')).rejects.toBeInstanceOf(PaymentRefusedError);
    await expect(refund('order-8')).resolves.toMatchObject({ transaction_id: expect.stringMatching(/^txn_/) });
  });

  it('GIVEN the simulated provider variables WHEN read THEN seconds become ms and the id list is split; a negative lifetime is refused with the variable name', () => {
    expect(
      simulatedProviderSettingsFromEnv({
        SIMULATED_PROVIDER_FORGET_KEYS_AFTER_SECONDS: '0',
        SIMULATED_PROVIDER_REFUSE_REFUNDS: 'a, b',
      }),
    ).toEqual({ forgetKeysAfterMs: 0, refuseRefundsFor: ['a', 'b'] });
    expect(() => simulatedProviderSettingsFromEnv({ SIMULATED_PROVIDER_FORGET_KEYS_AFTER_SECONDS: '-1' })).toThrow(
      'SIMULATED_PROVIDER_FORGET_KEYS_AFTER_SECONDS',
    );
  });

  it('GIVEN a provider that keeps keys 24 h, 10 s, forever, or does not say WHEN billing derives its trust THEN 23 h, 5 s, forever, and 23 h', () => {
    expect(keyTrustMs(24 * 3600_000)).toBe(23 * 3600_000);
    expect(keyTrustMs(new SimulatedPaymentProvider({ forgetKeysAfterMs: 10_000 }).keyLifetimeMs)).toBe(5_000);
    expect(keyTrustMs(new SimulatedPaymentProvider().keyLifetimeMs)).toBe(Number.POSITIVE_INFINITY);
    expect(keyTrustMs(undefined)).toBe(PROVIDER_KEY_TRUST_MS);
  });

  it('GIVEN the refused_card payment method WHEN charged THEN the provider refuses for good (PaymentRefusedError), as a 4xx', async () => {
    await expect(charge(99, REFUSED_PAYMENT_METHOD, 'refused-1')).rejects.toBeInstanceOf(PaymentRefusedError);
  });

  it('GIVEN charges under a key, one it forgot in between, and a key it never saw WHEN looked up THEN it answers every charge from its memory, and cannot tell for the unseen key', async () => {
    let clock = 0;
    const forgetful = new SimulatedPaymentProvider({ forgetKeysAfterMs: 10_000 }, undefined, () => clock);
    const first = await forgetful.charge({ idempotencyKey: 'o-1', amount: 5, currency: 'USD', payment_method: 'card' });
    await forgetful.charge({ idempotencyKey: 'o-1', amount: 5, currency: 'USD', payment_method: 'card' });
    clock += 20_000;
    const again = await forgetful.charge({ idempotencyKey: 'o-1', amount: 5, currency: 'USD', payment_method: 'card' });

    expect(await forgetful.lookup('o-1')).toEqual([first, again]);
    expect(again.transaction_id).not.toBe(first.transaction_id);
    expect(await forgetful.lookup('o-2')).toBeUndefined();
  });
});
