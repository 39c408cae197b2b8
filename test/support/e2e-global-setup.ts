import { startLocalServices, type LocalServices } from '../../local/runtime/services';
import { APP_RESOURCES } from '../../local/lab/app-bindings';
import { E2E_ENDPOINTS_ENV } from './e2e-env';

/**
 * jest globalSetup of the e2e project: starts the real components (Kafka broker, DynamoDB Local,
 * S3 stand-in, SES v2 stand-in) once per run and hands their endpoints to the test files through the environment,
 * which the workers inherit. globalTeardown stops them; if jest dies instead, the processes die
 * with it (see local/runtime/services/process.ts).
 */
export default async function e2eGlobalSetup(): Promise<void> {
  const services = await startLocalServices({ kafka: process.env.E2E_KAFKA, resources: APP_RESOURCES });
  (globalThis as { __E2E_SERVICES__?: LocalServices }).__E2E_SERVICES__ = services;
  process.env[E2E_ENDPOINTS_ENV] = JSON.stringify({
    kafkaBootstrap: services.kafkaBootstrap,
    kafkaIam: services.kafkaIam,
    dynamodbEndpoint: services.dynamodbEndpoint,
    s3Endpoint: services.s3Endpoint,
    sesEndpoint: services.sesEndpoint,
    region: services.region,
    workDir: services.workDir,
  });
}
