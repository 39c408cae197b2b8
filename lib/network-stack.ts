import { Fn, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { StageConfig } from './config';
import { PipelineLogGroup } from './log-groups';

/** A literal (not the VPC's CidrBlock attribute) so that security group rules stay checkable at synth. */
export const VPC_CIDR = '10.40.0.0/16';

export interface NetworkStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * A VPC over three AZs with private subnets only, and no NAT gateway in any stage: nothing in the
 * system needs the internet. The functions reach DynamoDB and S3 through gateway endpoints (free),
 * the brokers inside the VPC, and the MSK event pollers (which run in the cluster's subnets) reach
 * Lambda and STS through interface endpoints. Two endpoints in one AZ (dev, about $15 a month)
 * or in three (prod, about $44) cost less than one NAT gateway per AZ (about $99 a month for three,
 * plus a charge per GB), and leave no path out of the VPC for data to leak through.
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  /** Functions that connect to the brokers: the cluster admits this group on the IAM port only. */
  readonly kafkaClientSecurityGroup: ec2.SecurityGroup;
  /** Functions in the VPC that never talk to Kafka (the order API). */
  readonly functionSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      restrictDefaultSecurityGroup: true,
    });

    const flowLogGroup = new PipelineLogGroup(this, 'FlowLogGroup', {
      config,
      retention: config.network.flowLogRetention,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // The MSK event pollers call Lambda (to invoke) and STS (to assume the execution role) from
    // the cluster's subnets: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the VPC');
    const endpointSubnets = { subnets: this.vpc.isolatedSubnets.slice(0, config.network.interfaceEndpointAzs) };
    for (const [name, service] of [
      ['Lambda', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
      ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
    ] as const) {
      this.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
        service,
        subnets: endpointSubnets,
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }

    this.kafkaClientSecurityGroup = new ec2.SecurityGroup(this, 'KafkaClientSecurityGroup', {
      vpc: this.vpc,
      description: 'Functions that connect to the MSK brokers (IAM auth, port 9098)',
      allowAllOutbound: true,
    });
    this.functionSecurityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'Functions that reach only AWS services through the VPC endpoints',
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
   * Three AZs without an AZ lookup: the stack stays environment-agnostic (synth needs no
   * credentials) and CloudFormation resolves the region's first three zones at deploy time.
   */
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}
