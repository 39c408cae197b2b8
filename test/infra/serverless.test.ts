import { ANALYTICS_ROUTES } from '../../lib/http-api';
import { CustomResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TOPIC_RETENTION_MS, TOPICS } from '../../lambdas/shared/contracts/topics';
import { ensureCfnLint, lintAssembly } from './support/cfn-lint';
import { expectControlTowerClean } from './support/control-tower';
import {
  grantsOfFunction,
  render,
  resourcesOfType,
  synthesizeVariant,
  type SynthesizedPipeline,
} from './support/pipeline';

let pipeline: SynthesizedPipeline;

beforeAll(() => {
  // The demo switch rides along: one synthesis covers both non-default variants.
  pipeline = synthesizeVariant('serverless');
}, 300_000);

afterAll(() => pipeline?.dispose());

describe('MSK Serverless variant with a public demo API (-c clusterType=serverless -c apiAuth=none)', () => {
  it('GIVEN the AwsSolutions rules WHEN checked THEN every finding is acknowledged with a reason', () => {
    expect(pipeline.nagViolations).toEqual([]);
  });

  it('GIVEN the synthesized templates WHEN linted with cfn-lint THEN there are no errors', () => {
    expect(lintAssembly(ensureCfnLint(), pipeline.outdir).flatMap((r) => r.errors)).toEqual([]);
  }, 900_000);

  it('GIVEN every rule of the bundled Control Tower set WHEN synthesized THEN no violation is left and each exception carries its reason', () => {
    expectControlTowerClean(pipeline.controlTower);
  });

  it('GIVEN the serverless switch WHEN synthesized THEN the cluster is serverless with IAM auth in the private subnets', () => {
    pipeline.templates.streaming.resourceCountIs('AWS::MSK::Cluster', 0);
    const clusters = resourcesOfType(pipeline.json.streaming, 'AWS::MSK::ServerlessCluster');
    expect(clusters).toHaveLength(1);
    const props = clusters[0][1].Properties!;
    expect(props.ClientAuthentication).toEqual({ Sasl: { Iam: { Enabled: true } } });
    const [vpc] = props.VpcConfigs as { SubnetIds: unknown[] }[];
    expect(vpc.SubnetIds).toHaveLength(3);
    pipeline.templates.streaming.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      VpcConfigs: [
        Match.objectLike({
          SecurityGroups: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterSecurityGroup[0-9A-F]{8}$'), 'GroupId'] }],
        }),
      ],
    });
  });

  it('GIVEN TOPICS WHEN synthesized THEN a custom resource creates each topic with its partitions and retention', () => {
    pipeline.templates.streaming.resourceCountIs('AWS::MSK::Topic', 0);
    const topics = resourcesOfType(pipeline.json.streaming, 'Custom::KafkaTopic').map(([, t]) => ({
      name: t.Properties!.TopicName,
      partitions: t.Properties!.Partitions,
      retention: t.Properties!.RetentionMs,
      brokers: render(t.Properties!.BootstrapBrokers),
    }));
    expect(topics.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
      Object.values(TOPICS)
        .map((t) => ({
          name: t.name,
          partitions: String(t.partitions),
          retention: String(TOPIC_RETENTION_MS),
          brokers: expect.stringMatching(/^\$\{BootstrapBrokers\w+\.BootstrapBrokerStringSaslIam\}$/),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it('GIVEN the topic provisioner WHEN synthesized THEN it runs in the VPC as a Kafka client and may administer only our topics', () => {
    const fn = pipeline.json.streaming.Resources.TopicProvisionerFunction;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    expect(render((fn.Properties!.VpcConfig as { SecurityGroupIds: unknown }).SecurityGroupIds)).toMatch(
      /Import:OrderPipeline-Dev-Network:.*KafkaClientSecurityGroup/,
    );
    const grants = grantsOfFunction(pipeline.json.streaming, 'TopicProvisionerFunction').filter((g) =>
      g.action.startsWith('kafka-cluster:'),
    );
    const topicGrants = grants.filter((g) => g.resource.includes(':topic/'));
    expect(new Set(topicGrants.map((g) => g.resource.replace(/^.*\//, '')))).toEqual(
      new Set(Object.values(TOPICS).map((t) => t.name)),
    );
    expect(new Set(topicGrants.map((g) => g.action))).toEqual(
      new Set([
        'kafka-cluster:CreateTopic',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:AlterTopic',
        'kafka-cluster:DescribeTopicDynamicConfiguration',
        'kafka-cluster:AlterTopicDynamicConfiguration',
      ]),
    );
    expect(
      grants
        .filter((g) => !g.resource.includes(':topic/'))
        .map((g) => g.action)
        .sort(),
    ).toEqual(['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster']);
    expect(grants.some((g) => g.action === 'kafka-cluster:DeleteTopic')).toBe(false);
  });

  it('GIVEN the mappings WHEN synthesized THEN each reads the serverless cluster and depends on its topic custom resource', () => {
    for (const subscription of SUBSCRIPTIONS) {
      const mapping = pipeline.stacks.services.mappings[subscription.id];
      const topic = pipeline.stacks.streaming.topics[subscription.topic];
      expect(mapping.node.dependencies).toContain(topic);
      expect(topic).toBeInstanceOf(CustomResource);
    }
    const [clusterOutput] = Object.entries(pipeline.json.streaming.Outputs ?? {}).filter(([id]) => id === 'ClusterArn');
    expect(render(clusterOutput[1].Value)).toBe('${Cluster.Arn}');
  });

  it('GIVEN no brokers to watch WHEN synthesized THEN there is no broker disk alarm', () => {
    const names = resourcesOfType(pipeline.json.services, 'AWS::CloudWatch::Alarm').map(([, a]) =>
      String(a.Properties!.AlarmName),
    );
    expect(names.some((n) => n.endsWith('BrokerDiskUsed'))).toBe(false);
    expect(names.some((n) => n.endsWith('BillingOffsetLag'))).toBe(true);
  });

  it('GIVEN -c apiAuth=none WHEN synthesized THEN the routes are public, an acknowledged and explained choice', () => {
    const routes = resourcesOfType(pipeline.json.services, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties!.AuthorizationType,
    );
    // Orders (2), clicks (1) and the analytics API's GET routes.
    expect(routes.length).toBe(3 + ANALYTICS_ROUTES.length);
    expect(new Set(routes)).toEqual(new Set(['NONE']));
    expect(pipeline.nagViolations.filter((v) => v.ruleName.startsWith('AwsSolutions-APIG4'))).toEqual([]);
  });
});
