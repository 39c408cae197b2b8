import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import {
  AWS_SERVICE_IDS,
  AWS_SERVICES,
  type AwsServiceId,
  CALLED_SERVICES,
} from '../lambdas/shared/contracts/aws-services';
import { FUNCTION_IDS } from '../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS } from '../lambdas/shared/contracts/subscriptions';
import { MSK_BROKER_NODES } from './availability-zones';
import type { StageConfig } from './config';
import { PipelineLogGroup } from './log-groups';
import { failureDestinationFor, failureDestinationService } from './wiring';

/** A literal (not the VPC's CidrBlock attribute) so that security group rules stay checkable at synth. */
export const VPC_CIDR = '10.40.0.0/16';

export interface NetworkStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * A VPC over three AZs with private subnets only, and no NAT gateway in any stage: nothing in the
 * system needs the internet. Every AWS API a function calls (CALLED_SERVICES) and every service an
 * event source mapping delivers its failures to has a VPC endpoint: DynamoDB and S3 gateway
 * endpoints (free), SES and SQS interface endpoints (billed per AZ-hour and GB, docs/deploy.md).
 * The brokers are inside the VPC, and Lambda's MSK event pollers, in provisioned mode, need no
 * endpoint of their own. No path leads out of the VPC.
 */
export class NetworkStack extends Stack {
  readonly vpc: ec2.Vpc;
  /** Functions that connect to the brokers: the cluster admits this group on the IAM port only. */
  readonly kafkaClientSecurityGroup: ec2.SecurityGroup;
  /** Functions in the VPC that never talk to Kafka (the order API). */
  readonly functionSecurityGroup: ec2.SecurityGroup;
  /** The interface endpoints, by service: HTTPS from inside the VPC only. */
  readonly interfaceEndpoints: Partial<Record<AwsServiceId, ec2.InterfaceVpcEndpoint>> = {};

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

    // No Lambda or STS endpoints: "AWS PrivateLink VPC endpoints are required for functions with
    // event source mappings that use the default (on-demand) mode for event pollers" (Lambda
    // developer guide), and every mapping here is in provisioned mode. The functions call no STS:
    // the MSK IAM signer signs with the credentials Lambda hands them.
    this.addInterfaceEndpoints();

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
   * One interface endpoint, in every subnet and with private DNS, per service that needs one:
   *
   * - the services the functions call (CALLED_SERVICES) whose endpoint is an interface endpoint.
   *   SES: the functions call the SES v2 HTTPS API, whose endpoint service is `email`: "For API
   *   endpoints, filter on email", and "For API endpoints, use port 443"
   *   (https://docs.aws.amazon.com/ses/latest/dg/send-email-set-up-vpc-endpoints.html); why this
   *   transport is in docs/deploy.md ("SES: the API endpoint").
   * - the services the event source mappings deliver failures to: "You must deploy a VPC endpoint
   *   for your on-failure destination service inside your Amazon MSK cluster VPC"
   *   (https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html). The cluster is in
   *   this VPC; the SQS queues of the dead_letter mappings need the `sqs` endpoint (a Kafka
   *   destination is the cluster itself, S3 has its gateway endpoint).
   *
   * With private DNS the SDK's default regional host names resolve to the endpoint, so no code
   * names an endpoint. Only HTTPS from inside the VPC reaches them: the functions' security groups
   * and the cluster's (which Lambda's pollers use) are all in the VPC's CIDR.
   */
  private addInterfaceEndpoints(): void {
    const needed = new Set<AwsServiceId>([
      ...FUNCTION_IDS.flatMap((functionId) => CALLED_SERVICES[functionId]),
      ...SUBSCRIPTIONS.flatMap((subscription) => failureDestinationService(failureDestinationFor(subscription)) ?? []),
    ]);
    const services = AWS_SERVICE_IDS.filter((id) => needed.has(id) && AWS_SERVICES[id].endpoint === 'interface');
    if (services.length === 0) return;
    const securityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface VPC endpoints: HTTPS from inside the VPC',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the VPC');
    for (const service of services) {
      this.interfaceEndpoints[service] = this.vpc.addInterfaceEndpoint(`${pascalCase(service)}Endpoint`, {
        service: new ec2.InterfaceVpcEndpointAwsService(AWS_SERVICES[service].endpointService),
        privateDnsEnabled: true,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        securityGroups: [securityGroup],
        open: false,
      });
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

function pascalCase(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
