/** jest globalTeardown of the adapters project: stops what adaptersGlobalSetup started. */
export default async function adaptersGlobalTeardown(): Promise<void> {
  const services = (globalThis as { __ADAPTER_SERVICES__?: { stop(): Promise<void> }[] }).__ADAPTER_SERVICES__ ?? [];
  await Promise.all(services.map((s) => s.stop()));
}
