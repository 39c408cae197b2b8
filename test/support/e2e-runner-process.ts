/**
 * A local runner in a process of its own, for the e2e test that kills a runner mid-batch:
 *   node --import tsx test/support/e2e-runner-process.ts <cdk.out dir>
 * with the endpoints in ORDER_PIPELINE_E2E_ENDPOINTS. Prints E2E RUNNER READY once every poller has
 * joined its consumer group; stops cleanly on SIGTERM. A SIGKILL is the crash the test is about.
 */
import { APP_BINDINGS } from '../../local/lab/app-bindings';
import { loadAssembly, startRunner } from '../../local/runtime/runner';
import { e2eEnvironment } from './e2e-env';
import { RUNNER_READY } from './e2e-pipeline';

async function main(): Promise<void> {
  const cdkOut = process.argv[2];
  if (!cdkOut) throw new Error('usage: e2e-runner-process.ts <cdk.out dir>');
  const runner = await startRunner({
    assembly: await loadAssembly(cdkOut, APP_BINDINGS),
    endpoints: e2eEnvironment(),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`${RUNNER_READY}\n`);
  process.once('SIGTERM', () => {
    void runner.stop().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
