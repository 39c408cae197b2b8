import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { MSK_BROKER_NODES } from './availability-zones';
import type { StageConfig } from './config';
import { PipelineLogGroup } from './log-groups';

/** A literal (not the VPC's CidrBlock attribute) so that security group rules stay checkable at synth. */
export const VPC_CIDR = '10.40.0.0/16';

export interface NetworkStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * A VPC over three AZs with private subnets only, and no NAT gateway in any stage: nothing in the
 * system needs the internet. The functions reach DynamoDB and S3 through gateway endpoints (free;
 * S3 also carries the S3 on-failure destination), the brokers inside the VPC, and Lambda's MSK
 * event pollers, in provisioned mode, need no endpoint. No path leads out of the VPC.
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  /** Functions that connect to the brokers: the cluster admits this group on the IAM port only. */
  readonly kafkaClientSecurityGroup: ec2.SecurityGroup;
  /** Functions in the VPC that never talk to Kafka (the order API). */
  readonly functionSecurityGroup: ec2.SecurityGroup;

  /** The subnets' AZ IDs: literals of the stage's region. */
  private readonly azIds: string[];

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.azIds = [...config.network.availabilityZoneIds];

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      maxAzs: MSK_BROKER_NODES,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      restrictDefaultSecurityGroup: true,
    });
    // The Vpc construct knows AZ names only: each subnet gets its AZ as an ID instead.
    for (const subnet of this.vpc.isolatedSubnets) {
      const cfnSubnet = subnet.node.defaultChild as ec2.CfnSubnet;
      cfnSubnet.addPropertyDeletionOverride('AvailabilityZone');
      cfnSubnet.addPropertyOverride('AvailabilityZoneId', subnet.availabilityZone);
    }

    const flowLogGroup = new PipelineLogGroup(this, 'FlowLogGroup', {
      config,
      retention: config.network.flowLogRetention,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // No interface endpoints: "AWS PrivateLink VPC endpoints are required for functions with event
    // source mappings that use the default (on-demand) mode for event pollers" (Lambda developer
    // guide), and every mapping here is in provisioned mode. The functions call no STS: the MSK IAM
    // signer signs with the credentials Lambda hands them.

    this.kafkaClientSecurityGroup = new ec2.SecurityGroup(this, 'KafkaClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Functions that connect to the MSK brokers (IAM auth, port 9098)',
      allowAllOutbound: true,
    });
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Functions that reach only AWS services through the gateway endpoints',
      allowAllOutbound: true,
    });

    // The custom resource that strips the default security group's rules runs on CDK's own handler.
    const restrictDefaultSg = this.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (restrictDefaultSg) {
      for (const id of [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      ]) {
        Validations.of(restrictDefaultSg).acknowledge({
          id,
          reason:
            "CDK's provider for the custom resource that removes every rule from the VPC's default security group; it only writes its own logs.",
        });
      }
    }
  }

  /**
   * The AZ IDs (see lib/availability-zones.ts), never an AZ lookup: synth needs no credentials.
   * The Vpc construct uses these as its "AZ names"; the subnets above turn them into AZ IDs.
   */
  override get availabilityZones(): string[] {
    return this.azIds;
  }
}
