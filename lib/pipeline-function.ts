import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AssetHashType, type ILocalBundling, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { StageConfig } from './config';
import { PRODUCER_APIS, PROJECT_ROOT, type KafkaApiGroup } from './function-bundle';
import { PipelineLogGroup } from './log-groups';

export { PROJECT_ROOT };

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
  /** The Kafka protocol APIs the function's client calls; the rest stays out of the bundle. */
  readonly kafkaApis?: readonly KafkaApiGroup[];
}

/**
 * Bundles with lib/function-bundle.ts in a child process: CDK bundles synchronously, and esbuild
 * plugins (which keep the Kafka client lean) only run in its asynchronous API. The fields are part
 * of CDK's asset cache key, so two functions never share a bundle.
 */
class FunctionBundler implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly kafkaApis: readonly KafkaApiGroup[],
  ) {}

  tryBundle(outputDir: string): boolean {
    const script = path.join(PROJECT_ROOT, 'lib', 'function-bundle.ts');
    const args = ['--import', 'tsx', script, this.entry, outputDir, this.kafkaApis.join(',')];
    const result = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `Bundling ${this.entry} failed: ${result.stderr || result.error?.message || `exit ${result.status}`}`,
      );
    }
    return true;
  }
}

function bundleCode(entry: string, kafkaApis: readonly KafkaApiGroup[]): lambda.Code {
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: local bundling either succeeds or throws, so synthesis needs no Docker.
      image: lambda.Runtime.NODEJS_22_X.bundlingImage,
      local: new FunctionBundler(entry, kafkaApis),
    },
  });
}

/**
 * Every function of the system, with the defaults fixed once: Node.js 22 (the major the tests and
 * the local runner use), arm64, bundled by lib/function-bundle.ts on this machine (never Docker),
 * X-Ray tracing, JSON logs into a log group with a retention, in the private subnets.
 *
 * The construct id becomes the function's CloudFormation logical id (`BillingFunction`), so that
 * `sam local invoke -t cdk.out/<stack>.template.json BillingFunction` and the local runner can name it.
 */
export class PipelineFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    const { config } = props;
    const logGroup = new PipelineLogGroup(scope, `${id}LogGroup`, { config, retention: config.functions.logRetention });
    super(scope, id, {
      code: bundleCode(props.entry, props.kafkaApis ?? PRODUCER_APIS),
      handler: 'index.handler',
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
        'Node.js 22 on purpose: it is the major the tests and the local runner use (package.json engines, .nvmrc), and Lambda supports it until 2027.',
    });
  }
}
