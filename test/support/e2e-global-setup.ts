import { synthesizeIfChanged } from '../../local/runtime/runner';
import { startLocalServices, type LocalServices } from '../../local/runtime/services';
import { APP_RESOURCES } from '../../local/lab/app-bindings';
import { E2E_ENDPOINTS_ENV } from './e2e-env';

/**
 * jest globalSetup of the e2e project: starts the real components (Kafka broker, DynamoDB Local,
 * S3 stand-in, SES v2 stand-in) once per run and hands their endpoints to the test files through the environment,
 * which the workers inherit. globalTeardown stops them; if jest dies instead, the processes die
 * with it (see local/runtime/services/process.ts).
 *
 * Meanwhile the app is synthesized into cdk.out, as `npm run local` does (or its synthesis reused
 * when nothing it depends on changed): once per run, for every file that runs the app, the demo
 * stacks of the chaos and failover files included, before any of them needs it.
 */
export default async function e2eGlobalSetup(): Promise<void> {
  const [started, synthesis] = await Promise.allSettled([
    startLocalServices({ kafka: process.env.E2E_KAFKA, resources: APP_RESOURCES }),
    synthesizeIfChanged(),
  ]);
  if (started.status === 'rejected') throw started.reason;
  const services = started.value;
  (globalThis as { __E2E_SERVICES__?: LocalServices }).__E2E_SERVICES__ = services;
  if (synthesis.status === 'rejected') {
    await services.stop();
    throw synthesis.reason;
  }
  process.env[E2E_ENDPOINTS_ENV] = JSON.stringify({
    kafkaBootstrap: services.kafkaBootstrap,
    kafkaIam: services.kafkaIam,
    dynamodbEndpoint: services.dynamodbEndpoint,
    s3Endpoint: services.s3Endpoint,
    sesEndpoint: services.sesEndpoint,
    region: services.region,
    workDir: services.workDir,
    cdkOut: synthesis.value.outdir,
  });
}
