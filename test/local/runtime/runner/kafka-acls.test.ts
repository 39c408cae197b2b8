import { APP_BINDINGS } from '../../../../local/lab/app-bindings';
import { assemblyFromTemplates } from '../../../../local/runtime/runner/assembly';
import { buildAccessModel } from '../../../../local/runtime/runner/enforcement/access-model';
import {
  deriveKafkaAcls,
  kafkaResourceArn,
  mskClusterArn,
  type KafkaAccess,
} from '../../../../local/runtime/runner/enforcement/kafka-acls';
import { describeDenial } from '../../../../local/runtime/runner/enforcement/kafka';
import { fixtureStacks, RUNNER_ASSEMBLY } from '../../../support/runner-assembly';

const FIXTURE = RUNNER_ASSEMBLY;
const TOPICS = ['orders', 'billing-outcome', 'billing-outcome.dlq', 'shipping'];

/** The CDK's form of a topic ARN in a policy: the cluster's name and the UUID split out of its ARN. */
function topicArn(topic: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':kafka:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':topic/order-pipeline-dev/',
        { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['Cluster', 'Arn'] }] }] },
        `/${topic}`,
      ],
    ],
  };
}

function groupArn(group: string): unknown {
  const join = topicArn(group) as { 'Fn::Join': [string, unknown[]] };
  const parts = [...join['Fn::Join'][1]];
  parts[6] = ':group/order-pipeline-dev/';
  return { 'Fn::Join': ['', parts] };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** billing's kafka-cluster grants as the CDK app writes them, with a wildcard topic and a deny. */
const BILLING_GRANTS: Statement[] = [
  {
    Effect: 'Allow',
    Action: [
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeCluster',
      'kafka-cluster:DescribeClusterDynamicConfiguration',
      'kafka-cluster:WriteDataIdempotently',
    ],
    Resource: { 'Fn::GetAtt': ['Cluster', 'Arn'] },
  },
  { Effect: 'Allow', Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], Resource: topicArn('orders') },
  {
    Effect: 'Allow',
    Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
    Resource: topicArn('billing-*'),
  },
  { Effect: 'Deny', Action: 'kafka-cluster:WriteData', Resource: topicArn('billing-outcome.dlq') },
  {
    Effect: 'Allow',
    Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
    Resource: groupArn('billing.orders'),
  },
];

/** The fixture assembly with an MSK cluster and billing's role given `grants` in its default policy. */
function fixture(grants: Statement[]) {
  const stacks = fixtureStacks();
  const resources = stacks[1].template.Resources!;
  resources.Cluster = { Type: 'AWS::MSK::Cluster', Properties: { ClusterName: 'order-pipeline-dev' } };
  resources.BillingFunctionServiceRoleDefaultPolicy3EFEEE62 = {
    Type: 'AWS::IAM::Policy',
    Properties: {
      PolicyName: 'BillingFunctionServiceRoleDefaultPolicy3EFEEE62',
      Roles: [{ Ref: 'BillingFunctionServiceRole4CD25295' }],
      PolicyDocument: { Version: '2012-10-17', Statement: grants },
    },
  };
  const assembly = assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS);
  const endpoints = {
    kafkaBootstrap: '127.0.0.1:9092',
    dynamodbEndpoint: 'http://127.0.0.1:8000',
    s3Endpoint: 'http://127.0.0.1:4569',
    region: 'eu-west-1',
  };
  const { model, values } = buildAccessModel(assembly, endpoints, '000000000000');
  return { assembly, model, clusterArn: mskClusterArn(assembly, values)! };
}

async function derive(grants: Statement[]): Promise<KafkaAccess> {
  const { assembly, model, clusterArn } = fixture(grants);
  const groups = assembly.kafkaMappings.map((m) => m.consumerGroupId);
  return deriveKafkaAcls({ model, clusterArn, topics: TOPICS, groups });
}

const aclsOf = (access: KafkaAccess, principal: string) =>
  access.acls
    .filter((a) => a.principal === principal)
    .map((a) => `${a.operation} ${a.resourceType} ${a.resourceName}`)
    .sort();

describe('Kafka ACLs derived from the roles', () => {
  it('GIVEN the assembly WHEN its cluster is looked up THEN it is the MSK cluster resource, in the local account', () => {
    const { clusterArn } = fixture(BILLING_GRANTS);
    expect(clusterArn).toBe(
      'arn:aws:kafka:eu-west-1:000000000000:cluster/order-pipeline-dev/00000000-0000-0000-0000-000000000000-1',
    );
    expect(kafkaResourceArn(clusterArn, 'TOPIC', 'orders')).toBe(
      'arn:aws:kafka:eu-west-1:000000000000:topic/order-pipeline-dev/00000000-0000-0000-0000-000000000000-1/orders',
    );
  });

  it('GIVEN billing grants on cluster, topics (one by wildcard, one denied) and its group WHEN derived THEN each allowed action is its Kafka ACL and nothing else', async () => {
    const access = await derive(BILLING_GRANTS);

    expect(aclsOf(access, 'User:billing')).toEqual(
      [
        'DESCRIBE CLUSTER kafka-cluster',
        'DESCRIBE_CONFIGS CLUSTER kafka-cluster',
        'IDEMPOTENT_WRITE CLUSTER kafka-cluster',
        'DESCRIBE TOPIC orders',
        'READ TOPIC orders',
        'DESCRIBE TOPIC billing-outcome',
        'WRITE TOPIC billing-outcome',
        // billing-* matches the dead-letter topic too, but the explicit deny keeps WriteData from it.
        'DESCRIBE TOPIC billing-outcome.dlq',
        'DESCRIBE GROUP billing.orders',
        // AlterGroup is Kafka's READ on the group (joining it, committing offsets).
        'READ GROUP billing.orders',
      ].sort(),
    );
    expect(access.connect).toEqual(['User:billing']);
    // The relay has no kafka-cluster grant: no ACL and no connection, yet its ACLs are the runner's to reset.
    expect(aclsOf(access, 'User:outboxRelay')).toEqual([]);
    expect(access.principals).toEqual(expect.arrayContaining(['User:billing', 'User:outboxRelay']));
  });

  it('GIVEN billing without AlterGroup WHEN derived THEN its group has no READ ACL (its mapping cannot join)', async () => {
    const grants = BILLING_GRANTS.map((s) =>
      Array.isArray(s.Action) && s.Action.includes('kafka-cluster:AlterGroup')
        ? { ...s, Action: ['kafka-cluster:DescribeGroup'] }
        : s,
    );
    const acls = aclsOf(await derive(grants), 'User:billing');

    expect(acls).toContain('DESCRIBE GROUP billing.orders');
    expect(acls).not.toContain('READ GROUP billing.orders');
  });

  it('GIVEN billing without Connect WHEN derived THEN it may not connect at all', async () => {
    const grants = BILLING_GRANTS.map((s, i) =>
      i === 0 ? { ...s, Action: (s.Action as string[]).filter((a) => a !== 'kafka-cluster:Connect') } : s,
    );

    expect((await derive(grants)).connect).toEqual([]);
  });

  it('GIVEN a broker denial WHEN described THEN it names the error, the function, the MSK action and the resource', () => {
    expect(describeDenial('billing', 'Write', 'Topic', 'billing-outcome', 'Produce')).toBe(
      'TOPIC_AUTHORIZATION_FAILED function billing: Produce needs kafka-cluster:WriteData on topic billing-outcome ' +
        '(Kafka WRITE), which its role does not allow',
    );
    expect(describeDenial('billing', 'Read', 'Group', 'billing.orders', 'JoinGroup')).toMatch(
      /^GROUP_AUTHORIZATION_FAILED function billing: JoinGroup needs kafka-cluster:AlterGroup on group billing.orders/,
    );
    expect(describeDenial('billing', 'DescribeConfigs', 'Cluster', 'kafka-cluster', 'DescribeConfigs')).toMatch(
      /^CLUSTER_AUTHORIZATION_FAILED .* kafka-cluster:DescribeClusterDynamicConfiguration/,
    );
  });
});
