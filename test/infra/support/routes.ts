import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AWS_SERVICE_IDS,
  AWS_SERVICES,
  type AwsServiceId,
  CALLED_SERVICES,
  LOADED_NOT_CALLED,
} from '../../../lambdas/shared/contracts/aws-services';
import { FUNCTION_ID_TAG, type FunctionId } from '../../../lambdas/shared/contracts/functions';
import { VPC_CIDR } from '../../../lib/network-stack';
import type { CfnResource, CfnTemplate } from '../../../local/runtime/runner/cloudformation';
import { render, resourcesOfType, type StackPart } from './pipeline';

/**
 * Reads the synthesized templates of one stage the way the network would: for every function, is
 * there a route from its subnets to each AWS service it calls (CALLED_SERVICES), and for every
 * event source mapping, is its on-failure destination reachable from the cluster's subnets, as
 * Lambda documents ("You must deploy a VPC endpoint for your on-failure destination service inside
 * your Amazon MSK cluster VPC", https://docs.aws.amazon.com/lambda/latest/dg/with-msk-on-failure.html).
 *
 * A route is one of: a gateway endpoint on the subnet's route table; an interface endpoint with
 * private DNS (so the SDK's default host name resolves to it) whose security group admits HTTPS
 * from the caller's security group or a CIDR that holds the VPC, the caller's security group
 * letting HTTPS out; or a default route to a NAT gateway. Every problem is returned as a sentence.
 */
export type Templates = Record<StackPart, CfnTemplate>;

interface Located {
  readonly part: StackPart;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export function routeProblems(templates: Templates): string[] {
  const net = new TemplateNetwork(templates);
  const problems: string[] = [];
  for (const [logicalId, fn] of resourcesOfType(templates.services, 'AWS::Lambda::Function')) {
    const functionId = tagOf(fn, FUNCTION_ID_TAG) as FunctionId | undefined;
    if (!functionId) continue;
    const vpc = fn.Properties?.VpcConfig as { SubnetIds?: unknown[]; SecurityGroupIds?: unknown[] } | undefined;
    const subnets = (vpc?.SubnetIds ?? []).map((s) => net.locate('services', s));
    const groups = (vpc?.SecurityGroupIds ?? []).map((g) => net.locate('services', g));
    if (subnets.length === 0) continue; // Outside a VPC: Lambda's own network reaches every public endpoint.
    for (const service of CALLED_SERVICES[functionId]) {
      const missing = net.unroutedSubnets(service, subnets, groups);
      if (missing.length > 0) {
        problems.push(
          `${functionId} (${logicalId}) calls ${service} but has no route to it from ${missing.join(', ')}`,
        );
      }
    }
  }
  for (const [logicalId, mapping] of resourcesOfType(templates.services, 'AWS::Lambda::EventSourceMapping')) {
    const destination = (mapping.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
      ?.OnFailure?.Destination;
    if (destination === undefined || typeof destination === 'string') continue; // none, or kafka:// (the cluster itself)
    const cluster = net.clusterOf(mapping);
    if (!cluster) continue; // A stream source: Lambda delivers from its own network.
    const target = net.locate('services', destination);
    const service = serviceOfDestination(target.resource.Type);
    if (!service) {
      problems.push(
        `${logicalId}: on-failure destination ${target.logicalId} (${target.resource.Type}) is no known service`,
      );
      continue;
    }
    const missing = net.unroutedSubnets(service, cluster.subnets, cluster.securityGroups);
    if (missing.length > 0) {
      problems.push(
        `${logicalId}: its on-failure destination (${service}) has no route from the cluster's subnets ${missing.join(', ')}`,
      );
    }
  }
  return problems;
}

/** What each function's bundle requires from the AWS SDK (left external by lib/function-bundle.ts), as services. */
export function servicesInBundles(templates: Templates, outdir: string): Record<string, AwsServiceId[] | string> {
  const result: Record<string, AwsServiceId[] | string> = {};
  for (const [, fn] of resourcesOfType(templates.services, 'AWS::Lambda::Function')) {
    const functionId = tagOf(fn, FUNCTION_ID_TAG);
    if (!functionId) continue;
    const assetPath = fn.Metadata?.['aws:asset:path'] as string | undefined;
    const bundle = assetPath ? join(outdir, assetPath, 'index.js') : '';
    if (!assetPath || !existsSync(bundle)) {
      result[functionId] = `no bundle at ${bundle || '(no aws:asset:path)'}`;
      continue;
    }
    const packages = [...readFileSync(bundle, 'utf8').matchAll(/require\("(@aws-sdk\/[\w-]+)"\)/g)].map((m) => m[1]);
    const services = new Set<AwsServiceId>();
    const unknown: string[] = [];
    for (const pkg of packages) {
      const service = AWS_SERVICE_IDS.find((id) => (AWS_SERVICES[id].sdkPackages as readonly string[]).includes(pkg));
      if (service) services.add(service);
      else if (pkg.startsWith('@aws-sdk/client-') && !(pkg in LOADED_NOT_CALLED)) unknown.push(pkg);
    }
    result[functionId] =
      unknown.length > 0
        ? `${[...new Set(unknown)].join(', ')}: in no entry of AWS_SERVICES or LOADED_NOT_CALLED`
        : AWS_SERVICE_IDS.filter((id) => services.has(id));
  }
  return result;
}

function serviceOfDestination(type: string): AwsServiceId | undefined {
  return ({ 'AWS::SQS::Queue': 'sqs', 'AWS::S3::Bucket': 's3' } as Record<string, AwsServiceId>)[type];
}

function tagOf(resource: CfnResource, key: string): string | undefined {
  const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: string }[];
  return tags.find((t) => t.Key === key)?.Value;
}

class TemplateNetwork {
  private readonly exports = new Map<string, { part: StackPart; value: unknown }>();

  constructor(private readonly templates: Templates) {
    for (const [part, template] of Object.entries(templates) as [StackPart, CfnTemplate][]) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export) this.exports.set(render(output.Export.Name), { part, value: output.Value });
      }
    }
  }

  /** The resource a Ref, GetAtt or ImportValue in `part` points at. */
  locate(part: StackPart, value: unknown): Located {
    const v = value as Record<string, unknown>;
    if (v && typeof v === 'object' && 'Fn::ImportValue' in v) {
      const exported = this.exports.get(render(v['Fn::ImportValue']));
      if (!exported) throw new Error(`No export ${render(v['Fn::ImportValue'])}`);
      return this.locate(exported.part, exported.value);
    }
    const logicalId =
      v && typeof v === 'object' && 'Ref' in v
        ? String(v.Ref)
        : v && typeof v === 'object' && 'Fn::GetAtt' in v
          ? (v['Fn::GetAtt'] as string[])[0]
          : undefined;
    const resource = logicalId === undefined ? undefined : this.templates[part].Resources?.[logicalId];
    if (!logicalId || !resource) throw new Error(`Cannot resolve ${render(value)} in ${part}`);
    return { part, logicalId, resource };
  }

  /** The Kafka cluster a mapping reads, with its client subnets and security groups (Lambda's pollers use them). */
  clusterOf(mapping: CfnResource): { subnets: Located[]; securityGroups: Located[] } | undefined {
    const source = mapping.Properties?.EventSourceArn;
    if (source === undefined) return undefined;
    const cluster = this.locate('services', source);
    const p = cluster.resource.Properties ?? {};
    if (cluster.resource.Type === 'AWS::MSK::Cluster') {
      const info = p.BrokerNodeGroupInfo as { ClientSubnets: unknown[]; SecurityGroups: unknown[] };
      return {
        subnets: info.ClientSubnets.map((s) => this.locate(cluster.part, s)),
        securityGroups: info.SecurityGroups.map((g) => this.locate(cluster.part, g)),
      };
    }
    if (cluster.resource.Type === 'AWS::MSK::ServerlessCluster') {
      const configs = p.VpcConfigs as { SubnetIds: unknown[]; SecurityGroups: unknown[] }[];
      return {
        subnets: configs.flatMap((c) => c.SubnetIds.map((s) => this.locate(cluster.part, s))),
        securityGroups: configs.flatMap((c) => (c.SecurityGroups ?? []).map((g) => this.locate(cluster.part, g))),
      };
    }
    return undefined;
  }

  /** The subnets (logical ids) from which `service` has no route for a caller in `groups`. */
  unroutedSubnets(service: AwsServiceId, subnets: Located[], groups: Located[]): string[] {
    return subnets
      .filter(
        (subnet) =>
          !this.viaNat(subnet) && !this.viaGateway(service, subnet) && !this.viaInterface(service, subnet, groups),
      )
      .map((s) => s.logicalId);
  }

  private resources(part: StackPart, type: string): [string, CfnResource][] {
    return resourcesOfType(this.templates[part], type);
  }

  private routeTablesOf(subnet: Located): string[] {
    return this.resources(subnet.part, 'AWS::EC2::SubnetRouteTableAssociation')
      .filter(([, a]) => render(a.Properties?.SubnetId) === `\${${subnet.logicalId}}`)
      .map(([, a]) => render(a.Properties?.RouteTableId));
  }

  private endpoints(part: StackPart, service: AwsServiceId, type: 'Gateway' | 'Interface'): CfnResource[] {
    return this.resources(part, 'AWS::EC2::VPCEndpoint')
      .map(([, e]) => e)
      .filter(
        (e) =>
          ((e.Properties?.VpcEndpointType as string | undefined) ?? 'Gateway') === type &&
          endpointServiceOf(render(e.Properties?.ServiceName)) === AWS_SERVICES[service].endpointService,
      );
  }

  private viaNat(subnet: Located): boolean {
    const tables = this.routeTablesOf(subnet);
    return this.resources(subnet.part, 'AWS::EC2::Route').some(
      ([, r]) =>
        tables.includes(render(r.Properties?.RouteTableId)) &&
        r.Properties?.DestinationCidrBlock === '0.0.0.0/0' &&
        r.Properties?.NatGatewayId !== undefined,
    );
  }

  private viaGateway(service: AwsServiceId, subnet: Located): boolean {
    const tables = this.routeTablesOf(subnet);
    return this.endpoints(subnet.part, service, 'Gateway').some((e) =>
      tables.every((t) => ((e.Properties?.RouteTableIds as unknown[]) ?? []).map(render).includes(t)),
    );
  }

  private viaInterface(service: AwsServiceId, subnet: Located, groups: Located[]): boolean {
    return this.endpoints(subnet.part, service, 'Interface').some((e) => {
      if (e.Properties?.PrivateDnsEnabled !== true) return false;
      if (((e.Properties?.SubnetIds as unknown[]) ?? []).length === 0) return false;
      const endpointGroups = ((e.Properties?.SecurityGroupIds as unknown[]) ?? []).map((g) =>
        this.locate(subnet.part, g),
      );
      return groups.some(
        (caller) => this.allowsHttpsOut(caller) && endpointGroups.some((group) => this.admitsHttpsFrom(group, caller)),
      );
    });
  }

  private rulesOf(group: Located, direction: 'Ingress' | 'Egress'): Record<string, unknown>[] {
    const inline = (group.resource.Properties?.[`SecurityGroup${direction}`] ?? []) as Record<string, unknown>[];
    const separate = this.resources(group.part, `AWS::EC2::SecurityGroup${direction}`)
      .filter(([, r]) => {
        try {
          return this.locate(group.part, r.Properties?.GroupId).logicalId === group.logicalId;
        } catch {
          return false;
        }
      })
      .map(([, r]) => r.Properties ?? {});
    return [...inline, ...separate];
  }

  private static coversHttps(rule: Record<string, unknown>): boolean {
    if (rule.IpProtocol === '-1') return true;
    return rule.IpProtocol === 'tcp' && Number(rule.FromPort) <= 443 && Number(rule.ToPort) >= 443;
  }

  private admitsHttpsFrom(endpointGroup: Located, caller: Located): boolean {
    return this.rulesOf(endpointGroup, 'Ingress').some((rule) => {
      if (!TemplateNetwork.coversHttps(rule)) return false;
      if (rule.CidrIp === VPC_CIDR || rule.CidrIp === '0.0.0.0/0') return true;
      if (rule.SourceSecurityGroupId === undefined) return false;
      try {
        return this.locate(endpointGroup.part, rule.SourceSecurityGroupId).logicalId === caller.logicalId;
      } catch {
        return false;
      }
    });
  }

  private allowsHttpsOut(group: Located): boolean {
    return this.rulesOf(group, 'Egress').some(
      (rule) => TemplateNetwork.coversHttps(rule) && (rule.CidrIp === '0.0.0.0/0' || rule.CidrIp === VPC_CIDR),
    );
  }
}

/**
 * `com.amazonaws.<region>.<name>` to `<name>`: the region is `${AWS::Region}` in a gateway endpoint's
 * name and the stage's region as a literal in an interface endpoint's (the stacks have an explicit env).
 */
function endpointServiceOf(serviceName: string): string | undefined {
  return /^com\.amazonaws\.(?:\$\{AWS::Region\}|[a-z]{2}(?:-[a-z]+)+-\d)\.(.+)$/.exec(serviceName)?.[1];
}
