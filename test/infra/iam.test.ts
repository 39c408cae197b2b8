import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, functionLogicalId, type FunctionId } from '../../lambdas/shared/contracts/functions';
import { PUBLISHES, SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TABLES, type TableId } from '../../lambdas/shared/contracts/tables';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import {
  type Grant,
  grantsOfFunction,
  importedFrom,
  render,
  resourcesOfType,
  STACK_PARTS,
  statementsOf,
  synthesizeVariant,
  type SynthesizedPipeline,
} from './support/pipeline';

let pipeline: SynthesizedPipeline;

beforeAll(() => {
  pipeline = synthesizeVariant('dev');
}, 300_000);

afterAll(() => pipeline?.dispose());

const FUNCTION_IDS = Object.keys(FUNCTIONS) as FunctionId[];

/** `ReadData topic:orders`, `Connect cluster`, `AlterGroup group:billing.orders` for every kafka-cluster grant. */
function kafkaGrants(functionId: FunctionId): string[] {
  const grants = grantsOfFunction(pipeline.json.services, functionLogicalId(functionId))
    .filter((g) => g.action.startsWith('kafka-cluster:'))
    .map((g) => `${g.action.replace('kafka-cluster:', '')} ${describeKafkaResource(g)}`);
  return [...new Set(grants)].sort();
}

function describeKafkaResource(grant: Grant): string {
  const scoped = grant.resource.match(
    /:(topic|group)\/order-pipeline-dev\/\$\{Select\(2,\$\{Split\(\/,\$\{Import:[^}]*ClusterArn[^}]*\}\)\}\)\}\/(.+)$/,
  );
  if (scoped) return `${scoped[1]}:${scoped[2]}`;
  if (/^\$\{Import:OrderPipeline-Dev-Streaming:[^}]*ClusterArn[^}]*\}$/.test(grant.resource)) return 'cluster';
  return `unexpected:${grant.resource}`;
}

/** The oracle, from the contracts alone: what each function must be able to do on the cluster. */
function expectedKafkaGrants(functionId: FunctionId): string[] {
  const subscriptions = SUBSCRIPTIONS.filter((s) => s.functionId === functionId);
  const writes = [...new Set([...PUBLISHES[functionId], ...(subscriptions.length ? [TOPICS.deadLetter.name] : [])])];
  if (subscriptions.length === 0 && writes.length === 0) return [];
  const grants = ['Connect cluster', 'DescribeCluster cluster'];
  if (subscriptions.length) grants.push('DescribeClusterDynamicConfiguration cluster');
  if (writes.length) grants.push('WriteDataIdempotently cluster');
  for (const topic of new Set(subscriptions.map((s) => s.topic)))
    grants.push(`DescribeTopic topic:${topic}`, `ReadData topic:${topic}`);
  for (const topic of writes) grants.push(`DescribeTopic topic:${topic}`, `WriteData topic:${topic}`);
  for (const s of subscriptions)
    grants.push(`DescribeGroup group:${s.consumerGroupId}`, `AlterGroup group:${s.consumerGroupId}`);
  return [...new Set(grants)].sort();
}

describe('least privilege on the Kafka cluster (dev)', () => {
  it.each(FUNCTION_IDS)(
    'GIVEN %s WHEN synthesized THEN its kafka-cluster actions are exactly those of its topics and groups',
    (functionId) => {
      expect(kafkaGrants(functionId)).toEqual(expectedKafkaGrants(functionId));
    },
  );

  it('GIVEN billing WHEN synthesized THEN it reads orders and inventory_outcome, writes billing_outcome and dead letters, and nothing else', () => {
    const grants = kafkaGrants('billing');
    expect(grants).toEqual(expect.arrayContaining(['ReadData topic:orders', 'ReadData topic:inventory_outcome']));
    expect(grants).toEqual(expect.arrayContaining(['WriteData topic:billing_outcome', 'WriteData topic:dead_letter']));
    expect(grants).not.toContain('ReadData topic:billing_outcome');
    expect(grants).not.toContain('WriteData topic:orders');
    expect(grants).toContain('AlterGroup group:billing.orders');
    expect(grants).not.toContain('AlterGroup group:inventory.billing_outcome');
  });

  it('GIVEN the order API WHEN synthesized THEN it has no Kafka access at all (it writes the outbox)', () => {
    expect(kafkaGrants('orderApi')).toEqual([]);
  });
});

describe('DynamoDB and S3 grants (dev)', () => {
  const tableOf = (grant: Grant): TableId | undefined =>
    (Object.keys(TABLES) as TableId[]).find((t) =>
      new RegExp(
        `Import:OrderPipeline-Dev-Data:ExportsOutputFnGetAtt${t.charAt(0).toUpperCase()}${t.slice(1)}Table`,
      ).test(grant.resource),
    );

  it.each(FUNCTION_IDS)(
    'GIVEN %s WHEN synthesized THEN it may touch only the tables whose name it is given',
    (functionId) => {
      const fn = pipeline.json.services.Resources[functionLogicalId(functionId)];
      const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      const tablesInEnv = (Object.keys(TABLES) as TableId[]).filter((t) => TABLES[t].envVar in env).sort();
      const tablesGranted = [
        ...new Set(
          grantsOfFunction(pipeline.json.services, functionLogicalId(functionId))
            .filter((g) => g.action.startsWith('dynamodb:') && g.action !== 'dynamodb:ListStreams')
            .map(tableOf)
            .filter((t): t is TableId => t !== undefined),
        ),
      ];
      expect(tablesGranted.sort()).toEqual(tablesInEnv);
    },
  );

  const dynamoActions = (functionId: FunctionId) =>
    [
      ...new Set(
        grantsOfFunction(pipeline.json.services, functionLogicalId(functionId))
          .filter((g) => g.action.startsWith('dynamodb:') && tableOf(g) === 'outbox')
          .map((g) => `${g.action} ${/\/index\/unpublished$/.test(g.resource) ? 'index' : 'table'}`),
      ),
    ].sort();

  it('GIVEN the outbox relay and sweeper WHEN synthesized THEN the relay may only read the stream and mark items, the sweeper only query and mark', () => {
    expect(dynamoActions('outboxRelay')).toEqual([
      'dynamodb:DescribeStream table',
      'dynamodb:GetRecords table',
      'dynamodb:GetShardIterator table',
      'dynamodb:UpdateItem table',
    ]);
    expect(dynamoActions('outboxSweeper')).toEqual(['dynamodb:Query index', 'dynamodb:UpdateItem table']);
  });

  it.each(['billing', 'inventory', 'shipping'] as const)(
    'GIVEN %s, which records its per-hop timings WHEN synthesized THEN it may only update items of the analytics table',
    (functionId) => {
      const analyticsActions = grantsOfFunction(pipeline.json.services, functionLogicalId(functionId))
        .filter((g) => g.action.startsWith('dynamodb:') && tableOf(g) === 'analytics')
        .map((g) => g.action);
      expect([...new Set(analyticsActions)]).toEqual(['dynamodb:UpdateItem']);
    },
  );

  it('GIVEN the order service WHEN synthesized THEN the API writes orders and outbox, the projection only orders', () => {
    const env = (id: FunctionId) =>
      Object.keys(
        (pipeline.json.services.Resources[functionLogicalId(id)].Properties!.Environment as { Variables: object })
          .Variables,
      );
    expect(env('orderApi')).toEqual(expect.arrayContaining(['ORDERS_TABLE', 'OUTBOX_TABLE']));
    expect(env('orderStatus')).toContain('ORDERS_TABLE');
    expect(env('orderStatus')).not.toContain('OUTBOX_TABLE');
    expect(env('billing')).not.toContain('ORDERS_TABLE');
  });

  it('GIVEN the archive WHEN synthesized THEN it gets the bucket name and a write-only policy on it', () => {
    const services = pipeline.templates.services;
    // Only the archive function gets the bucket's name, and only its role the write policy.
    expect(
      Object.keys(
        services.findResources('AWS::Lambda::Function', {
          Properties: {
            Environment: {
              Variables: Match.objectLike({ ARCHIVE_BUCKET: importedFrom('OrderPipeline-Dev-Data', 'ArchiveBucket') }),
            },
          },
        }),
      ),
    ).toEqual(['ArchiveFunction']);
    const archiveRole = (
      pipeline.json.services.Resources.ArchiveFunction!.Properties!.Role as { 'Fn::GetAtt': string[] }
    )['Fn::GetAtt'][0];
    expect(
      Object.keys(
        services.findResources('AWS::IAM::Role', {
          Properties: {
            ManagedPolicyArns: Match.arrayWith([importedFrom('OrderPipeline-Dev-Data', 'ArchiveWritePolicy')]),
          },
        }),
      ),
    ).toEqual([archiveRole]);
    const [, policy] = resourcesOfType(pipeline.json.data, 'AWS::IAM::ManagedPolicy')[0];
    const grants = statementsOf(policy.Properties!.PolicyDocument).map((g) => `${g.action} ${g.resource}`);
    expect(grants.sort()).toEqual(
      [
        's3:PutObject ${ArchiveBucket9DECBF5D.Arn}/*',
        'kms:GenerateDataKey ${ArchiveKeyDC5BCBC1.Arn}',
        'kms:Decrypt ${ArchiveKeyDC5BCBC1.Arn}',
      ].sort(),
    );
  });
});

describe('no wildcard actions (dev)', () => {
  it('GIVEN every identity policy of every stack WHEN synthesized THEN no action contains a wildcard', () => {
    const wildcards: string[] = [];
    for (const part of STACK_PARTS) {
      for (const [id, resource] of Object.entries(pipeline.json[part].Resources)) {
        const documents: unknown[] = [];
        if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
          documents.push(resource.Properties!.PolicyDocument);
        }
        if (resource.Type === 'AWS::IAM::Role') {
          for (const p of (resource.Properties!.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) {
            documents.push(p.PolicyDocument);
          }
        }
        for (const grant of documents.flatMap(statementsOf)) {
          if (grant.action.includes('*')) wildcards.push(`${part}/${id}: ${grant.action}`);
        }
      }
    }
    expect(wildcards).toEqual([]);
  });

  it('GIVEN resource policies WHEN synthesized THEN wildcard actions only deny (TLS-only) or delegate a key to its account', () => {
    const allowed: string[] = [];
    for (const part of STACK_PARTS) {
      for (const [id, resource] of Object.entries(pipeline.json[part].Resources)) {
        const document =
          resource.Properties?.KeyPolicy ??
          (resource.Type.endsWith('Policy') ? resource.Properties?.PolicyDocument : undefined);
        if (!document || resource.Type.startsWith('AWS::IAM::')) continue;
        const statements = (
          document as { Statement: { Effect: string; Action: string | string[]; Principal?: unknown; Sid?: string }[] }
        ).Statement;
        for (const s of statements) {
          const wildcard = [s.Action].flat().filter((a) => a.includes('*'));
          if (wildcard.length === 0 || s.Effect === 'Deny') continue;
          allowed.push(`${resource.Type} ${id}: ${wildcard.join(',')} to ${render(s.Principal)}`);
        }
      }
    }
    const reasons = [
      // KMS: the default key policy statement that lets the account's IAM policies govern the key.
      // (The stage's env makes the partition a literal.)
      /^AWS::KMS::Key \w+: kms:\* to \$\{AWS\(arn:aws:iam::\$\{AWS::AccountId\}:root\)\}$/,
      // KMS: the statement CloudWatch Logs documents for a log group key (encrypt-log-data-kms), to the
      // regional Logs service only and conditioned on log groups of this account and region.
      new RegExp(
        `^AWS::KMS::Key LogKey\\w+: kms:Decrypt\\*,kms:Describe\\*,kms:Encrypt\\*,kms:GenerateDataKey\\*,kms:ReEncrypt\\* to \\$\\{Service\\(logs\\.${pipeline.config.env.region}\\.amazonaws\\.com\\)\\}$`,
      ),
      // S3, dev only: CDK's auto-delete-objects provider empties the buckets when the stack is deleted.
      /^AWS::S3::BucketPolicy \w+: s3:DeleteObject\*,s3:GetBucket\*,s3:List\* to \$\{AWS\(\$\{CustomS3AutoDeleteObjectsCustomResourceProviderRole\w+\.Arn\}\)\}$/,
    ];
    expect(allowed.filter((entry) => !reasons.some((reason) => reason.test(entry)))).toEqual([]);
    expect(allowed.length).toBeGreaterThan(0);
  });
});

describe('outbox sweeper schedule (dev)', () => {
  it('GIVEN the services stack WHEN synthesized THEN an EventBridge rule invokes the sweeper every five minutes, without retries, and only that rule may invoke it', () => {
    const rules = resourcesOfType(pipeline.json.services, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [ruleId, rule] = rules[0]!;
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [functionLogicalId('outboxSweeper'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        },
      ],
    });
    const invokers = resourcesOfType(pipeline.json.services, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties!)
      .filter((p) => render(p.FunctionName).includes(functionLogicalId('outboxSweeper')));
    expect(invokers).toEqual([
      expect.objectContaining({
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      }),
    ]);
    const env = pipeline.json.services.Resources[functionLogicalId('outboxSweeper')].Properties!.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(env.Variables).toMatchObject({ OUTBOX_SWEEP_AFTER_SECONDS: '600' });
  });
});
