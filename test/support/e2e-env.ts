import type { LocalEndpoints } from '../../local/runtime/services';

export const E2E_ENDPOINTS_ENV = 'ORDER_PIPELINE_E2E_ENDPOINTS';

export interface E2eEnvironment extends LocalEndpoints {
  /** The run's directory under .local/runs/ (logs). */
  readonly workDir: string;
  /** The app synthesized for this run (cdk.out), bundles included. */
  readonly cdkOut: string;
}

/** The endpoints of the components the e2e globalSetup started. */
export function e2eEnvironment(): E2eEnvironment {
  const raw = process.env[E2E_ENDPOINTS_ENV];
  if (!raw) throw new Error(`${E2E_ENDPOINTS_ENV} is not set: run the e2e tests through jest (npm run test:e2e)`);
  return JSON.parse(raw) as E2eEnvironment;
}
