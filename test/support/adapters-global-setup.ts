import { createTables, newRunDir, startDynamoDbLocal, startS3Store } from '../../local/runtime/services';
import { APP_RESOURCES } from '../../local/lab/app-bindings';
import { ADAPTERS_ENDPOINTS_ENV, type AdapterEndpoints } from './adapters-env';

type Stoppable = { stop(): Promise<void> };

/**
 * jest globalSetup of the adapters project: DynamoDB Local with the tables of the contracts (as the
 * local runtime creates them) and the S3 stand-in with the archive bucket, once per run. The
 * workers read the endpoints from the environment; globalTeardown stops both.
 */
export default async function adaptersGlobalSetup(): Promise<void> {
  const workDir = newRunDir();
  const [dynamodb, s3] = await Promise.allSettled([
    startDynamoDbLocal({ workDir }),
    startS3Store({ workDir, bucket: APP_RESOURCES.bucket }),
  ]);
  const started = [dynamodb, s3].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  (globalThis as { __ADAPTER_SERVICES__?: Stoppable[] }).__ADAPTER_SERVICES__ = started;
  if (dynamodb.status === 'rejected' || s3.status === 'rejected') {
    await Promise.all(started.map((s) => s.stop()));
    throw dynamodb.status === 'rejected' ? dynamodb.reason : (s3 as PromiseRejectedResult).reason;
  }
  await createTables(dynamodb.value.endpoint, APP_RESOURCES.tables);
  const endpoints: AdapterEndpoints = {
    dynamodbEndpoint: dynamodb.value.endpoint,
    s3Endpoint: s3.value.endpoint,
    bucket: s3.value.bucket,
  };
  process.env[ADAPTERS_ENDPOINTS_ENV] = JSON.stringify(endpoints);
}
