import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionSpec } from '../../../../local/runtime/runner/assembly';
import type { RunnerBindings } from '../../../../local/runtime/runner/bindings';
import { functionEnvironment, UnresolvedEnvironmentError } from '../../../../local/runtime/runner/environment';
import { APP_BINDINGS, LOCAL_ARCHIVE_BUCKET } from '../../../../local/lab/app-bindings';
import { LOCAL_CREDENTIALS } from '../../../../local/runtime/endpoints';

const endpoints = {
  kafkaBootstrap: '127.0.0.1:39092',
  dynamodbEndpoint: 'http://127.0.0.1:38000',
  s3Endpoint: 'http://127.0.0.1:38001',
  region: 'eu-west-1',
};

const billing = (environment: Record<string, unknown>): FunctionSpec => ({
  id: 'billing',
  logicalId: 'BillingFunctionEC8E7E61',
  stack: 'Services',
  functionName: 'Services-BillingFunctionEC8E7E61',
  bundleDir: join(__dirname, '..', '..', '..', 'support', 'fixtures', 'runner-assembly', 'asset.fixture'),
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 30,
  memorySizeMb: 256,
  environment,
});

describe('functionEnvironment', () => {
  it('GIVEN deploy-time references to AWS resources WHEN resolved THEN they become the local stand-ins', () => {
    const env = functionEnvironment(
      billing({
        PAYMENTS_TABLE: { 'Fn::ImportValue': 'Data:ExportsOutputRefPaymentsTable48A42630E9179FB6' },
        OUTBOX_TABLE: { Ref: 'OutboxTable0731F305' },
        KAFKA_BOOTSTRAP_SERVERS: { 'Fn::GetAtt': ['Bootstrap', 'BootstrapBrokerStringSaslIam'] },
        KAFKA_AUTH: 'iam',
        ARCHIVE_BUCKET: { Ref: 'ArchiveDA4CB258' },
        POWERTOOLS_SERVICE_NAME: 'billing',
        KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
        NODE_OPTIONS: '--enable-source-maps',
      }),
      endpoints,
      APP_BINDINGS,
    );

    expect(env).toMatchObject({
      PAYMENTS_TABLE: 'payments',
      OUTBOX_TABLE: 'outbox',
      KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:39092',
      KAFKA_AUTH: 'plaintext',
      ARCHIVE_BUCKET: LOCAL_ARCHIVE_BUCKET,
      POWERTOOLS_SERVICE_NAME: 'billing',
      KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('GIVEN any function WHEN resolved THEN it gets the Lambda runtime variables, local endpoints and local credentials only', () => {
    const env = functionEnvironment(billing({}), endpoints, APP_BINDINGS);

    expect(env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint,
      AWS_ENDPOINT_URL_S3: endpoints.s3Endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: 'Services-BillingFunctionEC8E7E61',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: billing({}).bundleDir,
      _HANDLER: 'index.handler',
    });
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
  });

  it("GIVEN a function that sends email through SES WHEN resolved THEN it keeps the template's SES transport", () => {
    const notifications = functionEnvironment(
      billing({ EMAIL_TRANSPORT: 'ses', EMAIL_FROM: 'shop@example.com', SES_CONFIGURATION_SET: 'set' }),
      endpoints,
      APP_BINDINGS,
    );

    expect(notifications).toMatchObject({
      EMAIL_TRANSPORT: 'ses',
      EMAIL_FROM: 'shop@example.com',
      SES_CONFIGURATION_SET: 'set',
    });
  });

  it('GIVEN the enforcement gateway WHEN resolved THEN the function signs with a key naming it and every AWS endpoint is the gateway', () => {
    const env = functionEnvironment(billing({}), endpoints, APP_BINDINGS, 'http://127.0.0.1:38999');

    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'LOCALFNbilling',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:38999',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:38999',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:38999',
      AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:38999',
    });
  });

  it('GIVEN a reference the runner has no local value for WHEN resolved THEN the error names the function and the variable', () => {
    const fn = billing({
      PAYMENTS_TABLE: { Ref: 'PaymentsTable' },
      PAYMENT_PROVIDER_SECRET: { Ref: 'ProviderSecret' },
      API_URL: { 'Fn::Join': ['', ['https://', { Ref: 'Api' }]] },
    });

    expect(() => functionEnvironment(fn, endpoints, APP_BINDINGS)).toThrow(UnresolvedEnvironmentError);
    expect(() => functionEnvironment(fn, endpoints, APP_BINDINGS)).toThrow(
      /function billing \(BillingFunctionEC8E7E61, stack Services\).*PAYMENT_PROVIDER_SECRET = \{"Ref":"ProviderSecret"\} \(a deploy-time reference\); API_URL = /,
    );
  });
});

describe('functionEnvironment with the bindings of another app', () => {
  it('GIVEN bindings that name other variables WHEN resolved THEN only those get local values', () => {
    const bindings: RunnerBindings = {
      functionIdTag: 'other-app:id',
      functionIds: ['billing'],
      localEnvironment: ({ kafkaBootstrap }) => ({ BROKERS: kafkaBootstrap }),
      buckets: { FAILURES_BUCKET: 'failures' },
      streamTables: [],
    };
    const fn = billing({ BROKERS: { Ref: 'Cluster' }, FAILURES_BUCKET: { Ref: 'Bucket' } });

    expect(functionEnvironment(fn, endpoints, bindings)).toMatchObject({
      BROKERS: endpoints.kafkaBootstrap,
      FAILURES_BUCKET: 'failures',
    });
    expect(() => functionEnvironment(billing({ ARCHIVE_BUCKET: { Ref: 'Archive' } }), endpoints, bindings)).toThrow(
      /ARCHIVE_BUCKET = \{"Ref":"Archive"\}/,
    );
  });
});

describe('the runtime AWS SDK', () => {
  it('GIVEN a function WHEN its environment is built THEN NODE_PATH exposes the AWS SDK, as the Lambda runtime does, and nothing else', () => {
    const env = functionEnvironment(billing({}), endpoints, APP_BINDINGS);

    expect(readdirSync(env.NODE_PATH)).toEqual(['@aws-sdk']);
    expect(existsSync(join(env.NODE_PATH, '@aws-sdk', 'client-dynamodb', 'package.json'))).toBe(true);
  });
});
