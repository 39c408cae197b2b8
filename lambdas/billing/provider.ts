import { SimulatedPaymentProvider, type ProviderStatementEntry } from './adapters/simulated-payment-provider';
import { keyTrustMs } from './claims';
import type { BillingConfig } from './config';
import type { PaymentProvider } from './ports';

export interface BillingProvider {
  readonly provider: PaymentProvider;
  /** How long the provider keeps an idempotency key; undefined when the adapter cannot say. */
  readonly keyLifetimeMs: number | undefined;
  /** How long billing carries a claim out again under its key (keyTrustMs of the lifetime). */
  readonly providerKeyTrustMs: number;
}

/**
 * The payment provider and its key-trust window, from billing's configuration: one factory for
 * billing's handler and `npm run reconcile`, so that the operator's tool calls the provider billing
 * calls and trusts its keys exactly as long as billing does. A reconciler with a provider of its own
 * defaults would trust a key for 23 hours that billing's provider forgets after 10 s, and charge again.
 * Every request is written to `statement` (billing logs it; the local chaos run reads it, I9).
 */
export function billingPaymentProvider(
  config: Pick<BillingConfig, 'simulatedProvider'>,
  statement: (entry: ProviderStatementEntry) => void,
): BillingProvider {
  const provider = new SimulatedPaymentProvider(config.simulatedProvider, statement);
  return { provider, keyLifetimeMs: provider.keyLifetimeMs, providerKeyTrustMs: keyTrustMs(provider.keyLifetimeMs) };
}
