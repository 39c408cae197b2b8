import type { LocalServices } from '../../local/runtime/services';

/** jest globalTeardown of the e2e project: stops every process e2eGlobalSetup started. */
export default async function e2eGlobalTeardown(): Promise<void> {
  await (globalThis as { __E2E_SERVICES__?: LocalServices }).__E2E_SERVICES__?.stop();
}
