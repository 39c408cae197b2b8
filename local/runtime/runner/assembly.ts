import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunnerBindings } from './bindings';
import {
  describeValue,
  isIntrinsic,
  resolveResource,
  type CfnResource,
  type CfnTemplate,
  type ResourceRef,
  type StackTemplate,
} from './cloudformation';

/**
 * What the local runner needs from a synthesized cloud assembly (cdk.out): every function with its
 * bundle and settings, and every event source mapping with the settings Lambda would apply. Read
 * from the templates `cdk deploy` ships, so the local run uses the same bundles, consumer groups,
 * filters and retry settings as the deployed system.
 */
export interface Assembly {
  readonly dir: string;
  /** The stack templates as read: the local enforcement reads roles, policies and the network from them. */
  readonly stacks: readonly StackTemplate[];
  /** What the app told the runner about its names; the runner starts the functions with them. */
  readonly bindings: RunnerBindings;
  readonly functions: readonly FunctionSpec[];
  readonly kafkaMappings: readonly KafkaMappingSpec[];
  readonly streamMappings: readonly StreamMappingSpec[];
  /**
   * Functions without the function id tag (RunnerBindings.functionIdTag): the CDK's own (custom
   * resource providers), which the runner does not run. A mapping that targets one is an error.
   */
  readonly untaggedFunctions: readonly { readonly logicalId: string; readonly stack: string }[];
  /** The HTTP API routes (AWS::ApiGatewayV2::Route) and the function each one's Lambda integration invokes. */
  readonly httpRoutes: readonly HttpRouteSpec[];
}

export interface HttpRouteSpec {
  /** As in the template: `POST /orders`, `GET /orders/{order_id}`, `$default`. */
  readonly routeKey: string;
  /** The id of the function its integration invokes. */
  readonly functionId: string;
}

export interface FunctionSpec {
  /** The function's id, from its function id tag. */
  readonly id: string;
  readonly logicalId: string;
  readonly stack: string;
  /** FunctionName when the template sets one, else `<stack>-<logicalId>` (CloudFormation would add a random suffix). */
  readonly functionName: string;
  /** The bundle directory in cdk.out (the asset the template deploys). */
  readonly bundleDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** Environment.Variables as synthesized: literals, or CloudFormation references to resolve locally. */
  readonly environment: Readonly<Record<string, unknown>>;
}

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/** Where records go once retries are exhausted or they are too old. */
export type OnFailureDestination =
  | { readonly type: 'kafka'; readonly topic: string }
  /** `localBucket`: the local stand-in, when the bindings name one for the bucket. */
  | { readonly type: 's3'; readonly bucketLogicalId: string; readonly localBucket?: string }
  | { readonly type: 'sqs' | 'sns' | 'unknown'; readonly raw: unknown };

/** The error-handling settings shared by Kafka and stream mappings. */
export interface ErrorHandling {
  /** -1 means infinite, as in the template. */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly reportBatchItemFailures: boolean;
  /** -1 means infinite. */
  readonly maximumRecordAgeSeconds: number;
  readonly onFailure?: OnFailureDestination;
}

interface MappingBase extends ErrorHandling {
  /** The mapping's logical id. */
  readonly id: string;
  readonly stack: string;
  readonly functionLogicalId: string;
  readonly functionId: string;
  readonly enabled: boolean;
  readonly startingPosition: StartingPosition;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  /** FilterCriteria.Filters[].Pattern, as JSON text. */
  readonly filterPatterns: readonly string[];
}

export interface KafkaMappingSpec extends MappingBase {
  readonly kind: 'kafka';
  readonly topic: string;
  readonly consumerGroupId: string;
  /** The cluster ARN when the template has it as a literal. */
  readonly eventSourceArn?: string;
}

export interface StreamMappingSpec extends MappingBase {
  readonly kind: 'dynamodb';
  /** The local name of the table whose stream the mapping reads (RunnerBindings.streamTables). */
  readonly tableName: string;
}

export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
}

// Defaults Lambda applies when a property is absent from the template.
// https://docs.aws.amazon.com/lambda/latest/dg/msk-esm-parameters.html
const KAFKA_DEFAULT_BATCH_SIZE = 100;
const KAFKA_DEFAULT_BATCHING_WINDOW_SECONDS = 0.5;
// https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
const STREAM_DEFAULT_BATCH_SIZE = 100;
const STREAM_DEFAULT_BATCHING_WINDOW_SECONDS = 0;
const FUNCTION_DEFAULT_TIMEOUT_SECONDS = 3;
const FUNCTION_DEFAULT_MEMORY_MB = 128;

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: { readonly templateFile?: string; readonly directoryName?: string };
  readonly displayName?: string;
}

/** Reads manifest.json and every stack template of a cloud assembly (and of nested assemblies). */
export async function loadAssembly(cdkOutDir: string, bindings: RunnerBindings): Promise<Assembly> {
  const dir = resolve(cdkOutDir);
  const stacks = await readStacks(dir);
  if (stacks.length === 0) throw new AssemblyError(`No stack templates in ${join(dir, 'manifest.json')}`);
  return assemblyFromTemplates(dir, stacks, bindings);
}

async function readStacks(assemblyDir: string): Promise<StackTemplate[]> {
  const manifestFile = join(assemblyDir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new AssemblyError(`${manifestFile} not found: synthesize the app first (npm run synth)`);
  }
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
    artifacts?: Record<string, ManifestArtifact>;
  };
  const stacks: StackTemplate[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const templateFile = join(assemblyDir, artifact.properties.templateFile);
      const template = JSON.parse(await readFile(templateFile, 'utf8')) as CfnTemplate;
      stacks.push({ stackName: artifact.displayName ?? artifactId, templateFile, assemblyDir, template });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...(await readStacks(join(assemblyDir, artifact.properties.directoryName))));
    }
  }
  return stacks;
}

/** Builds the assembly model from parsed templates (exported for tests on hand-written templates). */
export function assemblyFromTemplates(
  dir: string,
  stacks: readonly StackTemplate[],
  bindings: RunnerBindings,
): Assembly {
  const tag = bindings.functionIdTag;
  const functions = new Map<string, FunctionSpec>();
  const untagged = new Map<string, { logicalId: string; stack: string }>();
  const functionKey = (stack: StackTemplate, logicalId: string) => `${stack.templateFile}#${logicalId}`;
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const key = functionKey(stack, logicalId);
      if (tagValue(resource, tag) === undefined) untagged.set(key, { logicalId, stack: stack.stackName });
      else functions.set(key, readFunction(stack, logicalId, resource, bindings));
    }
  }
  const duplicates = duplicatesOf([...functions.values()].map((f) => f.id));
  if (duplicates.length > 0) {
    throw new AssemblyError(`More than one function carries the ${tag} tag ${duplicates.join(', ')}`);
  }

  const kafkaMappings: KafkaMappingSpec[] = [];
  const streamMappings: StreamMappingSpec[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      const props = resource.Properties ?? {};
      const where = `event source mapping ${logicalId} (stack ${stack.stackName})`;
      const target = resolveResource(props.FunctionName, stack, stacks);
      const key = target && functionKey(target.stack, target.logicalId);
      const fn = key && functions.get(key);
      if (!fn) {
        if (key && untagged.has(key)) {
          throw new AssemblyError(
            `${where} targets function ${target.logicalId} (stack ${target.stack.stackName}), which has no ` +
              `${tag} tag: the CDK app must tag every function with its id ` +
              `(${bindings.functionIds.join(', ')}), so that the local runner can tell which function it is`,
          );
        }
        throw new AssemblyError(`${where}: FunctionName ${describeValue(props.FunctionName)} names no function`);
      }
      const base = readMappingBase(stack, logicalId, props, fn, stacks, bindings);
      if (props.AmazonManagedKafkaEventSourceConfig || props.SelfManagedKafkaEventSourceConfig || props.Topics) {
        kafkaMappings.push(readKafkaMapping(where, props, base));
      } else {
        streamMappings.push(readStreamMapping(where, props, base, stack, stacks, bindings));
      }
    }
  }
  const httpRoutes: HttpRouteSpec[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::ApiGatewayV2::Route') continue;
      const where = `route ${logicalId} (stack ${stack.stackName})`;
      const target = integrationFunction(where, resource, stack, stacks);
      const fn = functions.get(functionKey(target.stack, target.logicalId));
      if (!fn) {
        throw new AssemblyError(
          `${where} integrates function ${target.logicalId} (stack ${target.stack.stackName}), which has no ${tag} tag`,
        );
      }
      const routeKey = literal(resource.Properties?.RouteKey, 'string', `${where}: RouteKey`);
      if (!routeKey) throw new AssemblyError(`${where}: no RouteKey`);
      httpRoutes.push({ routeKey, functionId: fn.id });
    }
  }
  return {
    dir,
    stacks,
    bindings,
    functions: [...functions.values()],
    kafkaMappings,
    streamMappings,
    untaggedFunctions: [...untagged.values()],
    httpRoutes,
  };
}

/**
 * The Lambda function behind a route: Target is `integrations/<integration id>` (a Fn::Join with a
 * Ref to the AWS::ApiGatewayV2::Integration), whose IntegrationUri references the function's Arn.
 */
function integrationFunction(
  where: string,
  route: CfnResource,
  stack: StackTemplate,
  stacks: readonly StackTemplate[],
): ResourceRef {
  const target = route.Properties?.Target;
  const joined = isIntrinsic(target) ? (target['Fn::Join'] as [unknown, unknown[]] | undefined) : undefined;
  const integration = (Array.isArray(joined?.[1]) ? joined[1] : [target])
    .map((part) => resolveResource(part, stack, stacks))
    .find((ref) => ref?.resource.Type === 'AWS::ApiGatewayV2::Integration');
  if (!integration) throw new AssemblyError(`${where}: Target ${describeValue(target)} names no integration`);
  const uri = integration.resource.Properties?.IntegrationUri;
  const fn = resolveResource(uri, integration.stack, stacks);
  if (fn?.resource.Type !== 'AWS::Lambda::Function') {
    throw new AssemblyError(
      `${where}: integration ${integration.logicalId} has IntegrationUri ${describeValue(uri)}, not a function`,
    );
  }
  return fn;
}

function tagValue(resource: CfnResource, key: string): unknown {
  const tags = (resource.Properties?.Tags ?? []) as { Key: unknown; Value: unknown }[];
  return tags.find((t) => t.Key === key)?.Value;
}

function readFunction(
  stack: StackTemplate,
  logicalId: string,
  resource: CfnResource,
  bindings: RunnerBindings,
): FunctionSpec {
  const props = resource.Properties ?? {};
  const where = `function ${logicalId} (stack ${stack.stackName})`;
  const id = tagValue(resource, bindings.functionIdTag);
  if (typeof id !== 'string' || !bindings.functionIds.includes(id)) {
    throw new AssemblyError(
      `${where}: tag ${bindings.functionIdTag}=${String(id)} is not one of the app's functions ` +
        `(${bindings.functionIds.join(', ')})`,
    );
  }
  const handler = props.Handler;
  if (typeof handler !== 'string' || !handler.includes('.')) {
    throw new AssemblyError(`${where}: Handler ${describeValue(handler)} is not "file.export"`);
  }
  const variables = (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  return {
    id,
    logicalId,
    stack: stack.stackName,
    functionName: typeof props.FunctionName === 'string' ? props.FunctionName : `${stack.stackName}-${logicalId}`,
    bundleDir: bundleDirOf(stack, logicalId, resource),
    handler,
    runtime: literal(props.Runtime, 'string', `${where}: Runtime`) ?? 'unknown',
    timeoutSeconds: literal(props.Timeout, 'number', `${where}: Timeout`) ?? FUNCTION_DEFAULT_TIMEOUT_SECONDS,
    memorySizeMb: literal(props.MemorySize, 'number', `${where}: MemorySize`) ?? FUNCTION_DEFAULT_MEMORY_MB,
    environment: variables,
  };
}

/**
 * The bundle directory: the `aws:asset:path` metadata the CDK CLI adds to every resource with a
 * file asset; without it (a synth outside the CLI), the asset named by the S3 key's hash.
 */
function bundleDirOf(stack: StackTemplate, logicalId: string, resource: CfnResource): string {
  const assetPath = resource.Metadata?.['aws:asset:path'];
  const s3Key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  const candidates = [
    typeof assetPath === 'string' ? resolve(stack.assemblyDir, assetPath) : undefined,
    typeof s3Key === 'string' ? join(stack.assemblyDir, `asset.${s3Key.replace(/\.zip$/, '')}`) : undefined,
  ].filter((c): c is string => c !== undefined);
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new AssemblyError(
      `function ${logicalId} (stack ${stack.stackName}): no bundle found (looked for ${candidates.join(', ') || 'aws:asset:path metadata or Code.S3Key'})`,
    );
  }
  return found;
}

function readMappingBase(
  stack: StackTemplate,
  logicalId: string,
  props: Record<string, unknown>,
  fn: FunctionSpec,
  stacks: readonly StackTemplate[],
  bindings: RunnerBindings,
): Omit<MappingBase, 'batchSize' | 'maximumBatchingWindowSeconds'> & {
  batchSize?: number;
  maximumBatchingWindowSeconds?: number;
} {
  const where = `event source mapping ${logicalId} (stack ${stack.stackName})`;
  const filters = ((props.FilterCriteria as { Filters?: { Pattern?: unknown }[] } | undefined)?.Filters ?? []).map(
    (f, i) => {
      if (typeof f.Pattern !== 'string') throw new AssemblyError(`${where}: filter ${i} has no literal Pattern`);
      return f.Pattern;
    },
  );
  const responseTypes = (props.FunctionResponseTypes ?? []) as unknown[];
  const destination = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
    ?.Destination;
  return {
    id: logicalId,
    stack: stack.stackName,
    functionLogicalId: fn.logicalId,
    functionId: fn.id,
    enabled: literal(props.Enabled, 'boolean', `${where}: Enabled`) ?? true,
    startingPosition: startingPosition(props.StartingPosition, where),
    batchSize: literal(props.BatchSize, 'number', `${where}: BatchSize`),
    maximumBatchingWindowSeconds: literal(
      props.MaximumBatchingWindowInSeconds,
      'number',
      `${where}: MaximumBatchingWindowInSeconds`,
    ),
    filterPatterns: filters,
    maximumRetryAttempts: literal(props.MaximumRetryAttempts, 'number', `${where}: MaximumRetryAttempts`) ?? -1,
    bisectBatchOnFunctionError:
      literal(props.BisectBatchOnFunctionError, 'boolean', `${where}: BisectBatchOnFunctionError`) ?? false,
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    maximumRecordAgeSeconds:
      literal(props.MaximumRecordAgeInSeconds, 'number', `${where}: MaximumRecordAgeInSeconds`) ?? -1,
    onFailure: destination === undefined ? undefined : onFailureDestination(destination, stack, stacks, bindings),
  };
}

function readKafkaMapping(
  where: string,
  props: Record<string, unknown>,
  base: ReturnType<typeof readMappingBase>,
): KafkaMappingSpec {
  const topics = props.Topics;
  if (!Array.isArray(topics) || topics.length !== 1 || typeof topics[0] !== 'string') {
    throw new AssemblyError(`${where}: Topics must be exactly one literal topic name, got ${describeValue(topics)}`);
  }
  const config = (props.AmazonManagedKafkaEventSourceConfig ?? props.SelfManagedKafkaEventSourceConfig) as
    { ConsumerGroupId?: unknown } | undefined;
  const consumerGroupId = config?.ConsumerGroupId;
  if (typeof consumerGroupId !== 'string') {
    // Lambda would make up a random group id; a local run must resume where it stopped, so require one.
    throw new AssemblyError(`${where}: no literal ConsumerGroupId (AmazonManagedKafkaEventSourceConfig)`);
  }
  return {
    ...base,
    kind: 'kafka',
    topic: topics[0],
    consumerGroupId,
    eventSourceArn: typeof props.EventSourceArn === 'string' ? props.EventSourceArn : undefined,
    batchSize: base.batchSize ?? KAFKA_DEFAULT_BATCH_SIZE,
    maximumBatchingWindowSeconds: base.maximumBatchingWindowSeconds ?? KAFKA_DEFAULT_BATCHING_WINDOW_SECONDS,
  };
}

function readStreamMapping(
  where: string,
  props: Record<string, unknown>,
  base: ReturnType<typeof readMappingBase>,
  stack: StackTemplate,
  stacks: readonly StackTemplate[],
  bindings: RunnerBindings,
): StreamMappingSpec {
  const source = resolveResource(props.EventSourceArn, stack, stacks);
  if (!source || source.resource.Type !== 'AWS::DynamoDB::Table' || source.attribute !== 'StreamArn') {
    throw new AssemblyError(
      `${where}: EventSourceArn ${describeValue(props.EventSourceArn)} is not the StreamArn of a DynamoDB table ` +
        `in the assembly (the local runner runs Kafka and DynamoDB stream mappings only)`,
    );
  }
  return {
    ...base,
    kind: 'dynamodb',
    tableName: localTableOf(source, where, bindings),
    batchSize: base.batchSize ?? STREAM_DEFAULT_BATCH_SIZE,
    maximumBatchingWindowSeconds: base.maximumBatchingWindowSeconds ?? STREAM_DEFAULT_BATCHING_WINDOW_SECONDS,
  };
}

/** The local table of a table resource: the stream table of the bindings with its partition key (those keys are unique). */
function localTableOf(table: ResourceRef, where: string, bindings: RunnerBindings): string {
  const keySchema = (table.resource.Properties?.KeySchema ?? []) as { AttributeName?: unknown; KeyType?: unknown }[];
  const hashKey = keySchema.find((k) => k.KeyType === 'HASH')?.AttributeName;
  const candidates = bindings.streamTables.filter((t) => t.partitionKey === hashKey);
  if (candidates.length !== 1) {
    throw new AssemblyError(
      `${where}: cannot tell which local table ${table.logicalId} is (partition key ${String(hashKey)} ` +
        `matches ${candidates.length} tables with a stream)`,
    );
  }
  return candidates[0].localName;
}

function onFailureDestination(
  destination: unknown,
  stack: StackTemplate,
  stacks: readonly StackTemplate[],
  bindings: RunnerBindings,
): OnFailureDestination {
  if (typeof destination === 'string') {
    if (destination.startsWith('kafka://')) return { type: 'kafka', topic: destination.slice('kafka://'.length) };
    if (destination.startsWith('arn:aws:s3:::')) return { type: 'unknown', raw: destination };
    if (destination.includes(':sqs:')) return { type: 'sqs', raw: destination };
    if (destination.includes(':sns:')) return { type: 'sns', raw: destination };
    return { type: 'unknown', raw: destination };
  }
  const target = resolveResource(destination, stack, stacks);
  switch (target?.resource.Type) {
    case 'AWS::S3::Bucket':
      return { type: 's3', bucketLogicalId: target.logicalId, localBucket: localBucketOf(target, stacks, bindings) };
    case 'AWS::SQS::Queue':
      return { type: 'sqs', raw: destination };
    case 'AWS::SNS::Topic':
      return { type: 'sns', raw: destination };
    default:
      return { type: 'unknown', raw: destination };
  }
}

/** The local bucket of `bucket`, when a function gets it through a variable of RunnerBindings.buckets. */
function localBucketOf(
  bucket: ResourceRef,
  stacks: readonly StackTemplate[],
  bindings: RunnerBindings,
): string | undefined {
  for (const stack of stacks) {
    for (const resource of Object.values(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      for (const [name, localName] of Object.entries(bindings.buckets)) {
        const target = resolveResource(variables[name], stack, stacks);
        if (target && target.stack === bucket.stack && target.logicalId === bucket.logicalId) return localName;
      }
    }
  }
  return undefined;
}

function startingPosition(value: unknown, where: string): StartingPosition {
  if (value === 'TRIM_HORIZON' || value === 'LATEST' || value === 'AT_TIMESTAMP') return value;
  throw new AssemblyError(
    `${where}: StartingPosition ${describeValue(value)} is not TRIM_HORIZON, LATEST or AT_TIMESTAMP`,
  );
}

function literal<T extends 'string' | 'number' | 'boolean'>(
  value: unknown,
  type: T,
  what: string,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  if (value === undefined) return undefined;
  if (typeof value === type) return value as never;
  if (isIntrinsic(value))
    throw new AssemblyError(`${what} is a deploy-time value ${describeValue(value)}, not a literal`);
  throw new AssemblyError(`${what}: expected a ${type}, got ${describeValue(value)}`);
}

function duplicatesOf(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}
