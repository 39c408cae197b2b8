import { LOCAL_CREDENTIALS, type LocalEndpoints } from '../endpoints';
import type { FunctionSpec } from './assembly';
import type { RunnerBindings } from './bindings';
import { describeValue, isIntrinsic } from './cloudformation';
import { runtimeSdkNodePath } from './runtime-sdk';
import { localAccessKeyId } from './enforcement/gateway';

export class UnresolvedEnvironmentError extends Error {
  override readonly name = 'UnresolvedEnvironmentError';
}

/** The local account id in ARNs the runner makes up. */
export const LOCAL_ACCOUNT = '000000000000';

/**
 * The environment of a function's local execution environment: the template's variables with
 * AWS resources swapped for their local stand-ins (the bindings say which variables point at AWS;
 * any other reference is an error, never a guess), the variables the Lambda runtime sets
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 * the SDK's standard endpoint variables, the fixed local credentials, and the runtime's AWS SDK on
 * NODE_PATH (runtime-sdk.ts). Nothing is inherited from
 * the runner's own environment except PATH, so a developer's AWS profile never leaks in.
 */
export function functionEnvironment(
  fn: FunctionSpec,
  endpoints: LocalEndpoints,
  bindings: RunnerBindings,
  gatewayUrl?: string,
): Record<string, string> {
  const local: Record<string, string> = { ...bindings.localEnvironment(endpoints), ...bindings.buckets };
  const env: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [name, value] of Object.entries(fn.environment)) {
    if (name in local) env[name] = local[name];
    else if (typeof value === 'string') env[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') env[name] = String(value);
    else unresolved.push(`${name} = ${describeValue(value)}${isIntrinsic(value) ? ' (a deploy-time reference)' : ''}`);
  }
  if (unresolved.length > 0) {
    throw new UnresolvedEnvironmentError(
      `function ${fn.id} (${fn.logicalId}, stack ${fn.stack}): the local runner has no local value for ` +
        `${unresolved.join('; ')}. Make the variable a literal in the CDK app, or give it a local value in ` +
        'the runner bindings (RunnerBindings.localEnvironment).',
    );
  }
  return {
    ...env,
    AWS_REGION: endpoints.region,
    AWS_DEFAULT_REGION: endpoints.region,
    ...(gatewayUrl
      ? {
          // Enforcement: credentials of the function's own, and every AWS service behind the local
          // gateway (enforcement/gateway.ts), which checks each call against the function's role and routes.
          AWS_ACCESS_KEY_ID: localAccessKeyId(fn.id),
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL: gatewayUrl,
          AWS_ENDPOINT_URL_DYNAMODB: gatewayUrl,
          AWS_ENDPOINT_URL_S3: gatewayUrl,
          AWS_ENDPOINT_URL_SESV2: gatewayUrl,
          AWS_ENDPOINT_URL_SQS: gatewayUrl,
        }
      : {
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint,
          AWS_ENDPOINT_URL_S3: endpoints.s3Endpoint,
          ...(endpoints.sesEndpoint ? { AWS_ENDPOINT_URL_SESV2: endpoints.sesEndpoint } : {}),
        }),
    // The local broker's MSK IAM listener has a self-signed certificate: trusted as MSK's is in AWS.
    ...(endpoints.kafkaIam ? { NODE_EXTRA_CA_CERTS: endpoints.kafkaIam.caFile } : {}),
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${fn.id}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: fn.bundleDir,
    _HANDLER: fn.handler,
    NODE_PATH: runtimeSdkNodePath(),
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
  };
}

export function functionArn(fn: FunctionSpec, region: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${fn.functionName}`;
}
