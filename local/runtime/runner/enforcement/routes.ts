import type { Assembly, FunctionSpec } from '../assembly';
import { resolveResource, type StackTemplate } from '../cloudformation';
import type { TemplateValues } from './template-values';

/**
 * Whether a function's network reaches an AWS service's public endpoint, read from the synthesized
 * network: a function outside a VPC reaches every public endpoint; a function in a VPC reaches a
 * service only through
 * - a gateway endpoint (S3, DynamoDB) on the route table of one of its subnets,
 * - an interface endpoint of the service in its VPC with private DNS, whose security groups admit
 *   HTTPS from the function's security groups (or its VPC's addresses), or
 * - a default route of one of its subnets to a NAT gateway (or an internet gateway).
 *
 * "When you connect a function to a VPC, all outbound requests go through the VPC. To connect to the
 * internet, configure your VPC to send outbound traffic from the function's subnet to a NAT gateway
 * in a public subnet."
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html)
 * "If you enable private DNS for the endpoint, you can make API requests to the AWS service using its
 * default DNS name for the Region" (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html)
 */
export type RouteDecision =
  { readonly reachable: true; readonly via: string } | { readonly reachable: false; readonly missing: string };

export interface FunctionNetwork {
  readonly inVpc: boolean;
  readonly subnets: readonly string[];
  /** Route tables of each subnet. */
  readonly routeTables: Readonly<Record<string, readonly string[]>>;
  readonly securityGroups: readonly string[];
  readonly vpc?: string;
}

interface Endpoint {
  readonly logicalId: string;
  readonly service: string;
  readonly type: 'Gateway' | 'Interface';
  readonly vpc: string;
  readonly routeTables: readonly string[];
  readonly privateDns: boolean;
  readonly securityGroups: readonly string[];
}

interface IngressRule {
  readonly group: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly protocol: string;
  readonly sourceGroup?: string;
  readonly cidr?: string;
}

export class NetworkModel {
  private readonly networks = new Map<string, FunctionNetwork>();
  private readonly endpoints: Endpoint[] = [];
  private readonly ingress: IngressRule[] = [];
  /** Route tables with a default route to a NAT or internet gateway. */
  private readonly internetRoutes = new Map<string, string>();
  private readonly vpcCidrs = new Map<string, string>();
  private readonly decisions = new Map<string, RouteDecision>();

  constructor(
    assembly: Assembly,
    private readonly values: TemplateValues,
  ) {
    const stacks = assembly.stacks;
    const key = (stack: StackTemplate, logicalId: string) => `${stack.stackName}#${logicalId}`;
    const ref = (value: unknown, stack: StackTemplate) => {
      const target = resolveResource(value, stack, stacks);
      return target ? key(target.stack, target.logicalId) : JSON.stringify(value);
    };
    const subnetTables = new Map<string, string[]>();
    for (const stack of stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        const props = resource.Properties ?? {};
        switch (resource.Type) {
          case 'AWS::EC2::SubnetRouteTableAssociation': {
            const subnet = ref(props.SubnetId, stack);
            subnetTables.set(subnet, [...(subnetTables.get(subnet) ?? []), ref(props.RouteTableId, stack)]);
            break;
          }
          case 'AWS::EC2::Route':
            if (props.DestinationCidrBlock === '0.0.0.0/0' && (props.NatGatewayId || props.GatewayId)) {
              this.internetRoutes.set(
                ref(props.RouteTableId, stack),
                props.NatGatewayId ? 'NAT gateway' : 'internet gateway',
              );
            }
            break;
          case 'AWS::EC2::VPC':
            if (typeof props.CidrBlock === 'string') this.vpcCidrs.set(key(stack, logicalId), props.CidrBlock);
            break;
          case 'AWS::EC2::VPCEndpoint': {
            const serviceName = values.str(props.ServiceName, stack);
            this.endpoints.push({
              logicalId: key(stack, logicalId),
              service: serviceName,
              type: props.VpcEndpointType === 'Interface' ? 'Interface' : 'Gateway',
              vpc: ref(props.VpcId, stack),
              routeTables: ((props.RouteTableIds ?? []) as unknown[]).map((r) => ref(r, stack)),
              privateDns: props.PrivateDnsEnabled === true,
              securityGroups: ((props.SecurityGroupIds ?? []) as unknown[]).map((g) => ref(g, stack)),
            });
            break;
          }
          case 'AWS::EC2::SecurityGroup':
            for (const rule of (props.SecurityGroupIngress ?? []) as Record<string, unknown>[]) {
              this.ingress.push(ingressRule(key(stack, logicalId), rule, stack, ref));
            }
            break;
          case 'AWS::EC2::SecurityGroupIngress':
            this.ingress.push(ingressRule(ref(props.GroupId, stack), props, stack, ref));
            break;
        }
      }
    }
    const subnetVpc = new Map<string, string>();
    for (const stack of stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        if (resource.Type === 'AWS::EC2::Subnet')
          subnetVpc.set(key(stack, logicalId), ref(resource.Properties?.VpcId, stack));
      }
    }
    for (const fn of assembly.functions) {
      const stack = stacks.find((s) => s.stackName === fn.stack)!;
      const vpcConfig = stack.template.Resources![fn.logicalId].Properties?.VpcConfig as
        { SubnetIds?: unknown[]; SecurityGroupIds?: unknown[] } | undefined;
      const subnets = (vpcConfig?.SubnetIds ?? []).map((s) => ref(s, stack));
      this.networks.set(fn.id, {
        inVpc: subnets.length > 0,
        subnets,
        routeTables: Object.fromEntries(subnets.map((s) => [s, subnetTables.get(s) ?? []])),
        securityGroups: (vpcConfig?.SecurityGroupIds ?? []).map((g) => ref(g, stack)),
        vpc: subnets.map((s) => subnetVpc.get(s)).find((v) => v !== undefined),
      });
    }
  }

  network(fn: FunctionSpec | string): FunctionNetwork | undefined {
    return this.networks.get(typeof fn === 'string' ? fn : fn.id);
  }

  /**
   * Whether `functionId` reaches the endpoint service `endpointService` (the `<name>` of
   * com.amazonaws.<region>.<name>: dynamodb, s3, email, sqs, ...) from every one of its subnets:
   * Lambda may place an execution environment in any of them.
   */
  reach(functionId: string, endpointService: string): RouteDecision {
    const cacheKey = `${functionId} ${endpointService}`;
    const cached = this.decisions.get(cacheKey);
    if (cached) return cached;
    const decision = this.decide(functionId, endpointService);
    this.decisions.set(cacheKey, decision);
    return decision;
  }

  private decide(functionId: string, endpointService: string): RouteDecision {
    const network = this.networks.get(functionId);
    if (!network?.inVpc) return { reachable: true, via: 'the public endpoint (the function is not in a VPC)' };
    const serviceName = `com.amazonaws.${this.values.region}.${endpointService}`;
    const interfaceEndpoint = this.endpoints.find(
      (e) => e.type === 'Interface' && e.service === serviceName && e.vpc === network.vpc && e.privateDns,
    );
    const sgAdmits = (e: Endpoint) =>
      e.securityGroups.some((group) =>
        this.ingress.some(
          (r) =>
            r.group === group &&
            (r.protocol === '-1' || (r.protocol === 'tcp' && r.fromPort <= 443 && r.toPort >= 443)) &&
            ((r.sourceGroup !== undefined && network.securityGroups.includes(r.sourceGroup)) ||
              (r.cidr !== undefined && (r.cidr === '0.0.0.0/0' || r.cidr === this.vpcCidrs.get(network.vpc ?? '')))),
        ),
      );
    const missing: string[] = [];
    for (const subnet of network.subnets) {
      const tables = network.routeTables[subnet] ?? [];
      const gateway = this.endpoints.find(
        (e) => e.type === 'Gateway' && e.service === serviceName && e.routeTables.some((t) => tables.includes(t)),
      );
      if (gateway) continue;
      if (interfaceEndpoint && sgAdmits(interfaceEndpoint)) continue;
      if (tables.some((t) => this.internetRoutes.has(t))) continue;
      missing.push(subnet.split('#')[1]);
    }
    if (missing.length === 0) {
      const gateway = this.endpoints.find((e) => e.type === 'Gateway' && e.service === serviceName);
      const via = gateway
        ? `gateway endpoint ${gateway.logicalId.split('#')[1]}`
        : interfaceEndpoint
          ? `interface endpoint ${interfaceEndpoint.logicalId.split('#')[1]}`
          : 'a NAT gateway';
      return { reachable: true, via };
    }
    const why =
      interfaceEndpoint && !sgAdmits(interfaceEndpoint)
        ? `interface endpoint ${interfaceEndpoint.logicalId.split('#')[1]} exists but its security groups do not admit HTTPS (443) from the function's security groups`
        : `no gateway endpoint on their route tables, no interface endpoint with private DNS in the VPC, no NAT route`;
    return {
      reachable: false,
      missing: `no route to ${serviceName} from subnets ${missing.join(', ')}: ${why}`,
    };
  }
}

function ingressRule(
  group: string,
  rule: Record<string, unknown>,
  stack: StackTemplate,
  ref: (value: unknown, stack: StackTemplate) => string,
): IngressRule {
  return {
    group,
    protocol: String(rule.IpProtocol ?? '-1'),
    fromPort: Number(rule.FromPort ?? 0),
    toPort: Number(rule.ToPort ?? 65535),
    sourceGroup: rule.SourceSecurityGroupId === undefined ? undefined : ref(rule.SourceSecurityGroupId, stack),
    cidr: typeof rule.CidrIp === 'string' ? rule.CidrIp : undefined,
  };
}
