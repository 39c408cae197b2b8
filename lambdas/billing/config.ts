import { tablesFromEnv } from '../shared/config';
import { ENV } from '../shared/contracts/environment';
import { kafkaConsumerConfigFromEnv, type KafkaConsumerConfig } from '../shared/kafka/consumer-config';
import type { SimulatedProviderSettings } from './adapters/simulated-payment-provider';

export interface BillingConfig extends KafkaConsumerConfig {
  readonly paymentsTable: string;
  /** Where each invocation's per-hop timings go (the dashboard's, shared/analytics/hop-timings.ts). */
  readonly analyticsTable: string;
  readonly simulatedProvider: SimulatedProviderSettings;
}

/** Read once by handler.ts at cold start; a missing variable fails the cold start with its name. */
export function billingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  return {
    ...tablesFromEnv({ paymentsTable: 'payments', analyticsTable: 'analytics' }, env),
    simulatedProvider: simulatedProviderSettingsFromEnv(env),
    ...kafkaConsumerConfigFromEnv('billing', env),
  };
}

/** The simulated provider's optional behaviours; each is off when its variable is unset. */
export function simulatedProviderSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): SimulatedProviderSettings {
  const forget = env[ENV.simulatedProviderForgetKeysAfterSeconds];
  const refuse = env[ENV.simulatedProviderRefuseRefunds];
  let forgetKeysAfterMs: number | undefined;
  if (forget !== undefined && forget.trim() !== '') {
    const seconds = Number(forget);
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new Error(
        `Environment variable ${ENV.simulatedProviderForgetKeysAfterSeconds} must be a number of seconds >= 0; got "${forget}"`,
      );
    }
    forgetKeysAfterMs = seconds * 1000;
  }
  const refuseRefundsFor = (refuse ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return { forgetKeysAfterMs, refuseRefundsFor };
}
