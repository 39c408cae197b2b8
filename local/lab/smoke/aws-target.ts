import { Sha256 } from '@aws-crypto/sha256-js';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ApiResponse, MappingHealth, SmokeTarget } from './smoke';

/**
 * The smoke test's view of a deployed stage: the services stack's outputs (ApiUrl and one
 * `<Function>Name` per function, lib/services-stack.ts), the API called with SigV4 (the HTTP API
 * uses IAM authorization), and the mappings of those functions from the Lambda API.
 */
export interface StageOutputs {
  readonly apiUrl: string;
  readonly functionNames: readonly string[];
}

/** From DescribeStacks: the outputs of `stackName`, or an error naming what is missing. */
export async function describeStageOutputs(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<StageOutputs> {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  return stageOutputs(outputs, `stack ${stackName}`);
}

/** From `cdk deploy --outputs-file FILE`: `{ "<stack>": { "<key>": "<value>" } }`. */
export function outputsFromFile(
  file: Readonly<Record<string, Readonly<Record<string, string>>>>,
  stackName: string,
): StageOutputs {
  const outputs = file[stackName];
  if (!outputs)
    throw new Error(`The outputs file has no stack ${stackName} (it has ${Object.keys(file).join(', ') || 'none'})`);
  return stageOutputs(outputs, `${stackName} in the outputs file`);
}

function stageOutputs(outputs: Readonly<Record<string, string>>, where: string): StageOutputs {
  const apiUrl = outputs.ApiUrl;
  if (!apiUrl) throw new Error(`No ApiUrl output in ${where}: is the stage deployed?`);
  const functionNames = Object.entries(outputs)
    .filter(([key]) => key.endsWith('FunctionName'))
    .map(([, value]) => value)
    .sort();
  return { apiUrl, functionNames };
}

/**
 * Every mapping of the functions (ListEventSourceMappings, page by page), or of the whole account
 * and region when `functionNames` is undefined (the local runner serves one stage only).
 */
export async function listMappings(lambda: LambdaClient, functionNames?: readonly string[]): Promise<MappingHealth[]> {
  const mappings: MappingHealth[] = [];
  for (const functionName of functionNames ?? [undefined]) {
    let marker: string | undefined;
    do {
      const page = await lambda.send(
        new ListEventSourceMappingsCommand({ FunctionName: functionName, Marker: marker }),
      );
      for (const m of page.EventSourceMappings ?? []) {
        mappings.push({
          uuid: m.UUID ?? '',
          functionArn: m.FunctionArn ?? functionName ?? '',
          source: m.Topics?.join(',') || m.EventSourceArn || '',
          state: m.State ?? 'unknown',
          lastProcessingResult: m.LastProcessingResult ?? '',
        });
      }
      marker = page.NextMarker;
    } while (marker);
  }
  return mappings;
}

/** A fetch of `apiUrl` + path, signed with SigV4 for API Gateway (`execute-api`). */
export function signedRequester(
  apiUrl: string,
  region: string,
  credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'],
): SmokeTarget['request'] {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  const base = new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  return async (method, path, body, headers = {}) => {
    const url = new URL(path.replace(/^\//, ''), base);
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...headers, host: url.host },
      body,
    });
    const { host: _host, ...sent } = signed.headers;
    const response = await fetch(url, { method, headers: sent, body, signal: AbortSignal.timeout(30_000) });
    return { status: response.status, body: await response.text() } satisfies ApiResponse;
  };
}

export interface AwsTargetOptions {
  readonly label: string;
  readonly stackName: string;
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  /** Outputs from a `cdk deploy --outputs-file` instead of DescribeStacks. */
  readonly outputs?: StageOutputs;
}

/** The deployed stage, with the clients' region and credentials. */
export async function awsSmokeTarget(options: AwsTargetOptions): Promise<SmokeTarget> {
  const outputs = options.outputs ?? (await describeStageOutputs(options.cloudFormation, options.stackName));
  const region = await options.lambda.config.region();
  return {
    label: options.label,
    request: signedRequester(outputs.apiUrl, region, options.lambda.config.credentials),
    mappings: () => listMappings(options.lambda, outputs.functionNames),
  };
}
