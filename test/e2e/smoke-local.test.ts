import { randomUUID } from 'node:crypto';
import type { LocalEndpointsFile } from '../../local/lab/console/endpoints';
import { localSmokeTarget } from '../../local/lab/smoke/local-target';
import { formatSmokeReport, runSmoke, type SmokeReport } from '../../local/lab/smoke/smoke';
import { startLocalLambdaApi, type Assembly, type LocalLambdaApi } from '../../local/runtime/runner';
import { e2eEnvironment } from '../support/e2e-env';
import {
  loadTestAssembly,
  APP_SETUP_TIMEOUT_MS,
  pipelineLock,
  startTestRunner,
  synthesizedApp,
  TestApp,
  withMappingsEnabled,
} from '../support/e2e-pipeline';

/**
 * `npm run smoke -- --local` against the app running on the real components the e2e globalSetup
 * started: the same target (the order API signed with SigV4, the mappings through the Lambda API
 * the runner serves, read with LambdaClient) and the same checks as the command, as bin/local.ts
 * serves them. The order must end terminal and every mapping of the templates must be listed,
 * enabled, with a last processing result that is not a failure.
 */
const env = e2eEnvironment();
const TIMEOUT_MS = 90_000;

const run = randomUUID().slice(0, 8);
const PRODUCT = `smoke-${run}`;

let assembly: Assembly;
let app: TestApp | undefined;
let lambdaApi: LocalLambdaApi | undefined;
const lock = pipelineLock(env);

beforeAll(async () => {
  assembly = await loadTestAssembly(await synthesizedApp(env));
  await lock.acquire();
  app = await TestApp.start(env, assembly, [{ product_id: PRODUCT, quantity: 10 }], `smoke-${run}`);
  // As bin/local.ts serves it: whichever runner the app has now.
  lambdaApi = await startLocalLambdaApi({ mappings: () => app!.runner.eventSourceMappings() });
}, APP_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await lambdaApi?.stop();
  await app?.stop();
  lock.release();
});

/** What `npm run local` writes to .local/endpoints.json, for the parts the smoke test reads. */
function endpointsFile(): LocalEndpointsFile {
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    orderApi: app!.api.url,
    kafkaBootstrap: env.kafkaBootstrap,
    dynamodb: env.dynamodbEndpoint,
    s3: env.s3Endpoint,
    region: env.region,
    lambdaApi: lambdaApi!.url,
    runDir: env.workDir,
  };
}

async function smokeLocal(): Promise<SmokeReport> {
  const local = localSmokeTarget(endpointsFile());
  try {
    return await runSmoke(local.target, { productId: PRODUCT, currency: 'USD', timeoutMs: 60_000, pollMs: 250 });
  } finally {
    await local.stop();
  }
}

const mappingCount = () => assembly.kafkaMappings.length + assembly.streamMappings.length;

describe('npm run smoke -- --local against the running local stack', () => {
  it(
    'GIVEN the app running with every mapping of the templates WHEN smoke-tested THEN the order ends terminal and every mapping is listed, enabled, with a healthy last result',
    async () => {
      const report = await smokeLocal();

      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.ok).toBe(true);
      const [placed, terminal, ...mappings] = report.checks;
      expect(placed).toMatchObject({ check: 'POST /orders', ok: true, detail: `202, order ${report.orderId}` });
      expect(terminal).toMatchObject({ check: 'order reaches a terminal state', ok: true });
      expect(terminal!.detail).toMatch(/^\w+ after \d+\.\d s$/);
      expect(mappings).toHaveLength(mappingCount());
      for (const mapping of mappings) {
        expect(mapping.detail).toMatch(/^Enabled; (OK|No records processed)$/);
      }
      // The order went through the outbox: its relay's stream mapping has processed it.
      expect(mappings.find((m) => m.check.endsWith('<- dynamodb-stream:outbox'))?.detail).toBe('Enabled; OK');
      expect(formatSmokeReport(report)).toContain(`All ${2 + mappingCount()} checks passed.`);
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN the archive mappings disabled WHEN smoke-tested THEN the order still ends terminal and the run fails on each of them, Disabled',
    async () => {
      await app!.runner.stop();
      app!.runner = await startTestRunner(
        env,
        withMappingsEnabled(assembly, (m) => m.functionId !== 'archive'),
      );
      const archiveMappings = [...assembly.kafkaMappings, ...assembly.streamMappings].filter(
        (m) => m.functionId === 'archive',
      );
      expect(archiveMappings.length).toBeGreaterThan(0);

      const report = await smokeLocal();

      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.check === 'order reaches a terminal state')?.ok).toBe(true);
      const failed = report.checks.filter((c) => !c.ok);
      expect(failed.map((c) => c.detail)).toEqual(archiveMappings.map(() => 'Disabled; No records processed'));
      expect(report.checks).toHaveLength(2 + mappingCount());
      expect(formatSmokeReport(report)).toContain(`${archiveMappings.length} of ${2 + mappingCount()} checks FAILED.`);
    },
    TIMEOUT_MS,
  );
});
