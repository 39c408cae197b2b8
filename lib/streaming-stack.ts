import { AspectPriority, Aspects, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct, IConstruct } from 'constructs';
import type { TopicName } from '../lambdas/shared/contracts/topics';
import { MSK_BROKER_NODES } from './availability-zones';
import { mskConfigurationName, resourcePrefix, type StageConfig, stageTags } from './config';
import { brokerProperties, KafkaTopics } from './kafka-topics';
import { PipelineLogGroup } from './log-groups';

export interface StreamingStackProps extends StackProps {
  readonly config: StageConfig;
  readonly vpc: ec2.IVpc;
  /** The only group the brokers admit, and only on the IAM port. */
  readonly kafkaClientSecurityGroup: ec2.ISecurityGroup;
}

/** MSK with IAM authentication on the TLS listener; no other listener exists. */
export const KAFKA_IAM_PORT = 9098;

/**
 * The MSK cluster (provisioned or serverless, from the stage config) and its topics. Stateful: a
 * services deployment never touches it.
 */
export class StreamingStack extends Stack {
  readonly clusterArn: string;
  readonly clusterName: string;
  /** `b-1.<cluster>...:9098,b-2...`: the SASL/IAM bootstrap string, read from MSK at deploy time. */
  readonly bootstrapBrokers: string;
  /** The resource that creates each topic: event source mappings depend on it. */
  readonly topics: Record<TopicName, IConstruct>;
  readonly clusterSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    const { config, vpc } = props;
    this.clusterName = resourcePrefix(config.stage);
    const subnetIds = vpc.isolatedSubnets.map((s) => s.subnetId);

    this.clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc,
      description: 'MSK brokers: IAM port from the Kafka clients and from the event pollers only',
      allowAllOutbound: true,
    });
    this.clusterSecurityGroup.addIngressRule(
      props.kafkaClientSecurityGroup,
      ec2.Port.tcp(KAFKA_IAM_PORT),
      'Functions, IAM auth over TLS',
    );
    // Lambda's MSK event pollers run in the cluster's subnets with the cluster's security groups,
    // so the group must admit itself: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
    this.clusterSecurityGroup.addIngressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(KAFKA_IAM_PORT),
      'Lambda event pollers, IAM auth over TLS',
    );

    if (config.clusterType === 'provisioned') {
      const key = new kms.Key(this, 'ClusterKey', {
        description: `Encrypts the ${this.clusterName} broker volumes`,
        enableKeyRotation: true,
        removalPolicy: config.removalPolicy,
        pendingWindow: Duration.days(7),
      });
      const brokerLogs = new PipelineLogGroup(this, 'BrokerLogGroup', {
        config,
        retention: config.msk.brokerLogRetention,
      });
      const configuration = new msk.CfnConfiguration(this, 'ClusterConfiguration', {
        name: mskConfigurationName(config.stage, config.msk.kafkaVersion),
        description:
          'Durable defaults: no auto-created topics, three replicas, two in sync for acks=all, 7-day retention',
        kafkaVersionsList: [config.msk.kafkaVersion],
        serverProperties: Object.entries(brokerProperties())
          .map(([key, value]) => `${key}=${value}`)
          .join('\n'),
      });
      // KafkaVersion, broker type and size, configuration and monitoring update in place; the name,
      // subnets, security groups and encryption are create-only, and the cluster ARN is exported to
      // the services stack, so changing those needs a new stage (README, "What an update can change").
      const cluster = new msk.CfnCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        kafkaVersion: config.msk.kafkaVersion,
        // One broker per AZ: replication factor 3 survives the loss of an AZ with min.insync.replicas 2.
        numberOfBrokerNodes: MSK_BROKER_NODES,
        brokerNodeGroupInfo: {
          instanceType: config.msk.brokerInstanceType,
          clientSubnets: subnetIds,
          securityGroups: [this.clusterSecurityGroup.securityGroupId],
          brokerAzDistribution: 'DEFAULT',
          storageInfo: { ebsStorageInfo: { volumeSize: config.msk.brokerVolumeGiB } },
        },
        clientAuthentication: {
          sasl: { iam: { enabled: true }, scram: { enabled: false } },
          unauthenticated: { enabled: false },
        },
        encryptionInfo: {
          encryptionAtRest: { dataVolumeKmsKeyId: key.keyArn },
          encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
        },
        configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
        enhancedMonitoring: config.msk.enhancedMonitoring,
        loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
      });
      cluster.applyRemovalPolicy(config.removalPolicy);
      this.clusterArn = cluster.attrArn;
    } else {
      // MSK Serverless: IAM is its only authentication, TLS its only transport, and its storage
      // is always encrypted at rest (with an AWS managed key; the service offers no other).
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [this.clusterSecurityGroup.securityGroupId] }],
      });
      // Its Tags are create-only: a tag added app- or stack-wide after the first deploy would replace
      // the cluster (and fail on its fixed name). Only the stage's own tags, fixed for its life, stay.
      const stageTagKeys = Object.keys(stageTags(config.stage));
      Aspects.of(cluster).add(
        {
          visit: (node) => {
            if (node !== cluster) return;
            for (const key of Object.keys(cluster.tags.tagValues())) {
              if (!stageTagKeys.includes(key)) cluster.tags.removeTag(key, 1_000);
            }
          },
        },
        // After the Tag aspects (MUTATING or DEFAULT, by feature flag), which set what this removes.
        { priority: AspectPriority.DEFAULT + 1 },
      );
      cluster.applyRemovalPolicy(config.removalPolicy);
      this.clusterArn = cluster.attrArn;
    }

    // Neither CfnCluster nor CfnServerlessCluster returns the bootstrap brokers: ask MSK at deploy time.
    const brokers = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(`${this.clusterName}-bootstrap-brokers`),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
      installLatestAwsSdk: false,
    });
    this.bootstrapBrokers = brokers.getResponseField('BootstrapBrokerStringSaslIam');

    const topics = new KafkaTopics(this, 'Topics', {
      config,
      clusterArn: this.clusterArn,
      clusterName: this.clusterName,
      bootstrapBrokers: this.bootstrapBrokers,
      vpc,
      securityGroup: props.kafkaClientSecurityGroup,
    });
    this.topics = topics.topics;

    new CfnOutput(this, 'ClusterArn', { value: this.clusterArn, description: 'MSK cluster ARN' });
    new CfnOutput(this, 'BootstrapBrokersSaslIam', {
      value: this.bootstrapBrokers,
      description: 'Bootstrap brokers for IAM authentication (port 9098, TLS)',
    });

    this.acknowledgeCdkProviders();
  }

  /** Findings on the Lambda functions CDK itself provides for custom resources. */
  private acknowledgeCdkProviders(): void {
    const awsCustomResourceProvider = this.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
    if (awsCustomResourceProvider) {
      Validations.of(awsCustomResourceProvider).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's AwsCustomResource provider (kafka:GetBootstrapBrokers): the managed policy only lets it write its own logs.",
      });
    }
  }
}
