import { Match, Template } from 'aws-cdk-lib/assertions';
import { AWS_SERVICE_IDS, CALLED_SERVICES } from '../../lambdas/shared/contracts/aws-services';
import { FUNCTION_IDS } from '../../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { VPC_CIDR } from '../../lib/network-stack';
import type { CfnTemplate } from '../../local/runtime/runner/cloudformation';
import {
  render,
  resourcesOfType,
  synthesizeVariant,
  type SynthesizedPipeline,
  type VariantName,
} from './support/pipeline';
import { routeProblems, servicesInBundles, type Templates } from './support/routes';

/**
 * Every call a function makes has a route, and every on-failure destination is reachable the way
 * Lambda documents it: read from the synthesized templates of a provisioned and a serverless stage.
 * Each route is then taken away from a copy of the templates, and the check must name what broke.
 */
const ROUTED_VARIANTS: readonly VariantName[] = ['dev', 'serverless'];
const pipelines: Partial<Record<VariantName, SynthesizedPipeline>> = {};
const synthesized = (variant: VariantName) => (pipelines[variant] ??= synthesizeVariant(variant));
jest.setTimeout(600_000);
afterAll(() => Object.values(pipelines).forEach((p) => p.dispose()));

const copy = (json: Templates): Templates => structuredClone(json);

/** The templates with every VPC endpoint of `service` (endpoint service name) taken out of the network stack. */
function withoutEndpoint(json: Templates, endpointService: string): Templates {
  const changed = copy(json);
  const network = changed.network as CfnTemplate;
  const removed = resourcesOfType(network, 'AWS::EC2::VPCEndpoint').filter(([, e]) =>
    render(e.Properties?.ServiceName).endsWith(`.${endpointService}`),
  );
  expect(removed.length).toBeGreaterThan(0);
  for (const [id] of removed) delete network.Resources?.[id];
  return changed;
}

const deadLetterMappings = SUBSCRIPTIONS.filter((s) => s.topic === TOPICS.deadLetter.name).map((s) => `${s.id}Mapping`);

describe.each(ROUTED_VARIANTS)('%s: routes from the functions and the cluster', (variant) => {
  const p = () => synthesized(variant);

  it('GIVEN the synthesized templates WHEN every function call and on-failure destination is traced THEN each has a route', () => {
    expect(routeProblems(p().json)).toEqual([]);
  });

  it('GIVEN the SES API endpoint removed WHEN traced THEN notifications has no route to SES', () => {
    const problems = routeProblems(withoutEndpoint(p().json, 'email'));
    expect(problems).toEqual([
      expect.stringMatching(/^notifications \(NotificationsFunction\) calls ses but has no route/),
    ]);
  });

  it('GIVEN the SQS endpoint removed WHEN traced THEN both dead_letter mappings lose their on-failure destination', () => {
    const problems = routeProblems(withoutEndpoint(p().json, 'sqs'));
    expect(problems.map((line) => line.split(':')[0]).sort()).toEqual([...deadLetterMappings].sort());
  });

  it('GIVEN the DynamoDB gateway endpoint removed WHEN traced THEN every function that calls DynamoDB is cut off', () => {
    const problems = routeProblems(withoutEndpoint(p().json, 'dynamodb'));
    const callers = FUNCTION_IDS.filter((id) => CALLED_SERVICES[id].includes('dynamodb'));
    expect(problems.map((line) => line.split(' ')[0]).sort()).toEqual([...callers].sort());
  });

  it('GIVEN an interface endpoint without private DNS WHEN traced THEN the SDK default host names do not reach it', () => {
    const changed = copy(p().json);
    for (const [, e] of resourcesOfType(changed.network, 'AWS::EC2::VPCEndpoint')) {
      if (e.Properties?.VpcEndpointType === 'Interface') e.Properties.PrivateDnsEnabled = false;
    }
    expect(routeProblems(changed).length).toBe(1 + deadLetterMappings.length);
  });

  it('GIVEN the network stack WHEN synthesized THEN the SES API and SQS have interface endpoints with private DNS, HTTPS from the VPC only', () => {
    const network = Template.fromJSON(p().json.network as unknown as Record<string, unknown>);
    for (const service of ['email', 'sqs']) {
      network.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        // The stage's region as a literal: every stack has an explicit env.
        ServiceName: `com.amazonaws.${p().config.env.region}.${service}`,
        SubnetIds: Match.anyValue(),
      });
    }
    network.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface VPC endpoints: HTTPS from inside the VPC',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: VPC_CIDR, IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
    });
    // These two and no other: email goes through the SES v2 API only (docs/deploy.md, "SES: the API endpoint").
    const interfaceServices = Object.values(
      network.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    ).map((e) =>
      render((e as { Properties: { ServiceName: unknown } }).Properties.ServiceName)
        .split('.')
        .pop(),
    );
    expect(interfaceServices.sort()).toEqual(['email', 'sqs']);
  });
});

// The bundles are the same code whatever the cluster: dev's (the variant synthesized with them) stand for all.
describe('dev: the bundles', () => {
  it('GIVEN each function bundle WHEN its AWS SDK requires are read THEN they are exactly the services CALLED_SERVICES declares', () => {
    const declared = Object.fromEntries(
      FUNCTION_IDS.map((id) => [id, AWS_SERVICE_IDS.filter((s) => CALLED_SERVICES[id].includes(s))]),
    );
    expect(servicesInBundles(synthesized('dev').json, synthesized('dev').outdir)).toEqual(declared);
  });
});
