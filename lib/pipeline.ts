import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stackName, type StageConfig, stageTags } from './config';
import { applyControlTowerControls } from './control-tower';
import { DataStack } from './data-stack';
import { addProviderLogGroups } from './log-groups';
import { NetworkStack } from './network-stack';
import { ServicesStack } from './services-stack';
import { StreamingStack } from './streaming-stack';

const STRONG_REFERENCES_CONTEXT = '@aws-cdk/core:defaultCrossStackReferences';

export interface PipelineStacks {
  readonly network: NetworkStack;
  readonly streaming: StreamingStack;
  readonly data: DataStack;
  readonly services: ServicesStack;
}

/**
 * The four stacks of one stage, wired by typed props: network -> streaming (MSK, topics) and data
 * (DynamoDB, S3) -> services (functions, mappings, API, monitoring). Every stack carries the stage's
 * env (lib/stages/): the subnets' AZ IDs are literals of that region, and the CLI deploys there
 * whatever the caller's default region. Synth stays offline: the network stack answers its AZs
 * itself, so no stack looks anything up.
 */
export function buildPipeline(app: App, config: StageConfig): PipelineStacks {
  // Strong references (CloudFormation exports): the streaming and data stacks cannot delete or
  // replace a value the services stack still imports.
  if (app.node.tryGetContext(STRONG_REFERENCES_CONTEXT) === undefined) {
    app.node.setContext(STRONG_REFERENCES_CONTEXT, 'strong');
  }
  /** What every stack of the stage is given: the stage, its account and region, and what the stack holds. */
  const stackProps = (holds: string) => ({
    config,
    env: config.env,
    description: `Order pipeline (${config.stage}): ${holds}`,
  });
  const network = new NetworkStack(
    app,
    stackName(config.stage, 'Network'),
    stackProps('VPC, endpoints, security groups'),
  );
  const streaming = new StreamingStack(app, stackName(config.stage, 'Streaming'), {
    ...stackProps(`${config.clusterType} MSK cluster and topics`),
    vpc: network.vpc,
    kafkaClientSecurityGroup: network.kafkaClientSecurityGroup,
  });
  const data = new DataStack(app, stackName(config.stage, 'Data'), stackProps('DynamoDB tables and the S3 archive'));
  const services = new ServicesStack(app, stackName(config.stage, 'Services'), {
    ...stackProps('functions, event source mappings, HTTP API, monitoring'),
    vpc: network.vpc,
    kafkaClientSecurityGroup: network.kafkaClientSecurityGroup,
    functionSecurityGroup: network.functionSecurityGroup,
    clusterArn: streaming.clusterArn,
    clusterName: streaming.clusterName,
    bootstrapBrokers: streaming.bootstrapBrokers,
    topics: streaming.topics,
    tables: data.tables,
    archiveBucket: data.archiveBucket,
    archiveWritePolicy: data.archiveWritePolicy,
    outboxRelayFailureQueue: data.outboxRelayFailureQueue,
    mappingFailureQueues: data.mappingFailureQueues,
  });
  for (const stack of [network, streaming, data, services]) {
    for (const [key, value] of Object.entries(stageTags(config.stage))) Tags.of(stack).add(key, value);
    addProviderLogGroups(stack, config);
  }
  const stacks = { network, streaming, data, services };
  applyControlTowerControls({ app, stacks, config });
  return stacks;
}

/** cdk-nag's AWS Solutions rules over the whole app: synth fails on any unacknowledged finding. */
export function addNagChecks(app: App): AwsSolutionsChecks {
  const checks = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(checks);
  return checks;
}
