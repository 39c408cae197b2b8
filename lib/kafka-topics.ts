import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import {
  MIN_INSYNC_REPLICAS,
  REPLICATION_FACTOR,
  TOPIC_RETENTION_MS,
  TOPICS,
  type TopicName,
} from '../lambdas/shared/contracts/topics';
import type { StageConfig } from './config';
import { KafkaArns } from './kafka-access';
import { PipelineFunction } from './pipeline-function';
import { PipelineLogGroup } from './log-groups';

// The replication settings live in the contracts: the three-broker local cluster uses the same ones.
export { MIN_INSYNC_REPLICAS, REPLICATION_FACTOR };

/**
 * The broker defaults of a provisioned cluster (its MSK configuration), which every topic inherits.
 * Retention and min.insync.replicas live here rather than in AWS::MSK::Topic `Configs`: the API
 * reference only calls that property "Base64 encoded configuration properties" without a format,
 * and server.properties is the one format MSK documents for a configuration.
 */
export function brokerProperties(): Record<string, string> {
  return {
    'auto.create.topics.enable': 'false',
    'default.replication.factor': String(REPLICATION_FACTOR),
    'min.insync.replicas': String(MIN_INSYNC_REPLICAS),
    'log.retention.ms': String(TOPIC_RETENTION_MS),
    'unclean.leader.election.enable': 'false',
    'num.partitions': '3',
  };
}

export interface KafkaTopicsProps {
  readonly config: StageConfig;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly bootstrapBrokers: string;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * Topics as code, from the same TOPICS the handlers import. A provisioned cluster gets one
 * AWS::MSK::Topic per topic, with the broker defaults of brokerProperties(); MSK Serverless has no topic API, so there a small function creates
 * them through the Kafka admin protocol (with IAM auth) as a custom resource per topic.
 */
export class KafkaTopics extends Construct {
  readonly topics: Record<TopicName, IConstruct>;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    const definitions = Object.values(TOPICS);

    if (props.config.clusterType === 'provisioned') {
      // No per-topic Configs: retention and min.insync.replicas come from brokerProperties().
      this.topics = Object.fromEntries(
        definitions.map((topic) => {
          const resource = new msk.CfnTopic(this, topic.name, {
            clusterArn: props.clusterArn,
            topicName: topic.name,
            partitionCount: topic.partitions,
            replicationFactor: REPLICATION_FACTOR,
          });
          resource.applyRemovalPolicy(props.config.removalPolicy);
          return [topic.name, resource as IConstruct];
        }),
      ) as Record<TopicName, IConstruct>;
      return;
    }

    const provisioner = new PipelineFunction(this, 'TopicProvisionerFunction', {
      config: props.config,
      entry: 'lambdas/topic-provisioner/handler.ts',
      description: 'Creates the Kafka topics on the MSK Serverless cluster (custom resource)',
      serviceName: 'topic-provisioner',
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      timeout: Duration.minutes(2),
      kafkaApis: ['admin', 'metadata', 'security'],
    });
    const arns = new KafkaArns(this, props.clusterArn, props.clusterName);
    for (const statement of arns.statements({ manageTopics: definitions.map((t) => t.name) })) {
      provisioner.addToRolePolicy(statement);
    }

    const provider = new cr.Provider(this, 'TopicProvider', {
      onEventHandler: provisioner,
      logGroup: new PipelineLogGroup(this, 'TopicProviderLogGroup', {
        config: props.config,
        retention: props.config.functions.logRetention,
      }),
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's custom resource provider framework: the managed policy only lets it write its own logs.",
    });
    // PipelineFunction makes its construct id its logical id.
    const provisionerLogicalId = provisioner.node.id;
    Validations.of(provider).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${provisionerLogicalId}.Arn>:*]`,
      reason: "CDK's provider framework may invoke any version of the one provisioner function it fronts.",
    });

    this.topics = Object.fromEntries(
      definitions.map((topic) => {
        const resource = new CustomResource(this, topic.name, {
          serviceToken: provider.serviceToken,
          resourceType: 'Custom::KafkaTopic',
          properties: {
            TopicName: topic.name,
            Partitions: String(topic.partitions),
            RetentionMs: String(TOPIC_RETENTION_MS),
            BootstrapBrokers: props.bootstrapBrokers,
          },
          removalPolicy: props.config.removalPolicy,
        });
        return [topic.name, resource as IConstruct];
      }),
    ) as Record<TopicName, IConstruct>;
  }
}
