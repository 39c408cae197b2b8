import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/shared/contracts/environment';
import { FUNCTIONS, functionName, type FunctionId } from '../../lambdas/shared/contracts/functions';
import { pascal } from '../../lambdas/shared/contracts/names';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TABLES, type TableId } from '../../lambdas/shared/contracts/tables';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { type StageName } from '../../lib/config';
import { ensureCfnLint, lintAssembly } from './support/cfn-lint';
import { expectControlTowerClean } from './support/control-tower';
import { render, resourcesOfType, STACK_PARTS, synthesizeVariant, type SynthesizedPipeline } from './support/pipeline';

const pipelines = {} as Record<StageName, SynthesizedPipeline>;

beforeAll(() => {
  pipelines.dev = synthesizeVariant('dev');
  pipelines.prod = synthesizeVariant('prod');
}, 600_000);

afterAll(() => Object.values(pipelines).forEach((p) => p.dispose()));

const STAGES: StageName[] = ['dev', 'prod'];
const deadLetterSubscriptions = SUBSCRIPTIONS.filter((sub) => sub.topic === TOPICS.deadLetter.name);
const FUNCTION_IDS_OF_DEAD_LETTER = deadLetterSubscriptions.map((sub) => sub.functionId);

describe.each(STAGES)('%s stage', (stage) => {
  const p = () => pipelines[stage];
  const alarmEndingWith = (suffix: string) =>
    resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm').find(([, a]) =>
      String(a.Properties!.AlarmName).endsWith(suffix),
    )![1].Properties;

  it('GIVEN the AwsSolutions rules WHEN checked THEN every finding is acknowledged with a reason', () => {
    expect(p().nagViolations).toEqual([]);
  });

  it('GIVEN the synthesized templates WHEN linted with cfn-lint THEN there are no errors', () => {
    const results = lintAssembly(ensureCfnLint(), p().outdir);
    expect(results.map((r) => r.template).sort()).toEqual(
      STACK_PARTS.map((part) => `${p().stacks[part].stackName}.template.json`).sort(),
    );
    expect(results.flatMap((r) => r.errors)).toEqual([]);
  }, 900_000);

  describe('AWS Control Tower proactive controls', () => {
    it('GIVEN every rule of the bundled set WHEN the stage is synthesized THEN no violation is left and each exception carries its reason', () => {
      expectControlTowerClean(p().controlTower);
    });

    it('GIVEN the log groups WHEN synthesized THEN each is encrypted with the log key of its own stack and has a retention', () => {
      for (const part of STACK_PARTS) {
        for (const [id, group] of resourcesOfType(p().json[part], 'AWS::Logs::LogGroup')) {
          expect([id, group.Properties!.KmsKeyId]).toEqual([
            id,
            { 'Fn::GetAtt': [expect.stringMatching(/^LogKey/), 'Arn'] },
          ]);
          expect(group.Properties!.RetentionInDays).toBeGreaterThanOrEqual(stage === 'prod' ? 365 : 1);
        }
      }
      expect(resourcesOfType(p().json.services, 'AWS::Logs::LogGroup').length).toBeGreaterThan(0);
    });

    it('GIVEN a log key WHEN synthesized THEN only CloudWatch Logs of this region may use it, for log groups of this account and region', () => {
      // The stage's env makes region, partition (and a named account) literals; an unnamed account stays a reference.
      const { region, account } = p().config.env;
      const logsStatement = (statement: { Principal?: { Service?: unknown }; Condition?: unknown }) =>
        render(statement.Principal?.Service) === `logs.${region}.amazonaws.com` &&
        render(
          (statement.Condition as { ArnLike?: Record<string, unknown> } | undefined)?.ArnLike?.[
            'kms:EncryptionContext:aws:logs:arn'
          ],
        ) === `arn:aws:logs:${region}:${account ?? '${AWS::AccountId}'}:log-group:*`;
      const logKeys = Object.fromEntries(
        resourcesOfType(p().json.services, 'AWS::KMS::Key').filter(([, key]) =>
          (
            key.Properties!.KeyPolicy as { Statement: ({ Effect: string } & Parameters<typeof logsStatement>[0])[] }
          ).Statement.some((statement) => statement.Effect === 'Allow' && logsStatement(statement)),
        ),
      );
      expect(Object.keys(logKeys)).toEqual([expect.stringMatching(/^LogKey/)]);
    });

    it('GIVEN every KMS key WHEN synthesized THEN its policy denies grants that are not for an AWS resource', () => {
      const keys = STACK_PARTS.flatMap((part) => resourcesOfType(p().json[part], 'AWS::KMS::Key'));
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const [, key] of keys) {
        expect((key.Properties!.KeyPolicy as { Statement: unknown[] }).Statement).toContainEqual({
          Sid: 'DenyGrantsNotForAwsResources',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        });
      }
    });

    it.each(['OutboxRelayFailureQueue', ...deadLetterSubscriptions.map((sub) => `${sub.id}FailureQueue`)])(
      'GIVEN the on-failure queue %s WHEN synthesized THEN it is in the data stack, has a dead-letter queue after 5 receives and is retained in prod',
      (queueId) => {
        const queues = Object.entries(p().templates.data.findResources('AWS::SQS::Queue'));
        const logicalId = (construct: string) => new RegExp(`^${construct}[0-9A-F]{8}$`);
        const [dlqId, dlq] = queues.find(([id]) => logicalId(`${queueId}DeadLetterQueue`).test(id))!;
        const [, failures] = queues.find(([id]) => logicalId(queueId).test(id))!;
        expect(failures.Properties!.RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: 5,
        });
        const kept = stage === 'prod' ? 'Retain' : 'Delete';
        expect([failures.DeletionPolicy, dlq.DeletionPolicy]).toEqual([kept, kept]);
        expect(resourcesOfType(p().json.services, 'AWS::SQS::Queue')).toEqual([]);
      },
    );

    it('GIVEN the archive bucket WHEN synthesized THEN each new object is an EventBridge event', () => {
      const buckets = p().templates.data.findResources('AWS::S3::Bucket', {
        Properties: { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } },
      });
      expect(Object.keys(buckets)).toEqual([expect.stringMatching(/^ArchiveBucket/)]);
    });
  });

  describe('MSK', () => {
    it('GIVEN a provisioned cluster WHEN synthesized THEN it has 3 KRaft brokers, IAM auth only and TLS only', () => {
      p().templates.streaming.hasResourceProperties('AWS::MSK::Cluster', {
        ClusterName: `order-pipeline-${stage}`,
        KafkaVersion: Match.stringLikeRegexp('^\\d+\\.\\d+\\.x\\.kraft$'),
        NumberOfBrokerNodes: 3,
        ClientAuthentication: {
          Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } },
          Unauthenticated: { Enabled: false },
        },
        EncryptionInfo: {
          EncryptionAtRest: { DataVolumeKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterKey'), 'Arn'] } },
          EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
        },
        LoggingInfo: {
          BrokerLogs: {
            CloudWatchLogs: { Enabled: true, LogGroup: { Ref: Match.stringLikeRegexp('^BrokerLogGroup') } },
          },
        },
      });
      const [, cluster] = resourcesOfType(p().json.streaming, 'AWS::MSK::Cluster')[0];
      expect((cluster.Properties!.BrokerNodeGroupInfo as { ClientSubnets: unknown[] }).ClientSubnets).toHaveLength(3);
      p().templates.streaming.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('GIVEN the brokers WHEN synthesized THEN only the Kafka client group and the pollers (the cluster group) reach them, on 9098 only', () => {
      const ingress = resourcesOfType(p().json.streaming, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => ({
        from: r.Properties!.FromPort,
        to: r.Properties!.ToPort,
        source: render(r.Properties!.SourceSecurityGroupId),
      }));
      expect(ingress).toHaveLength(2);
      expect(ingress).toEqual(
        expect.arrayContaining([
          { from: 9098, to: 9098, source: expect.stringMatching(/Import:.*Network:.*KafkaClientSecurityGroup/) },
          { from: 9098, to: 9098, source: expect.stringMatching(/^\$\{ClusterSecurityGroup\w+\.GroupId\}$/) },
        ]),
      );
      const groups = resourcesOfType(p().json.streaming, 'AWS::EC2::SecurityGroup');
      expect(groups.every(([, g]) => g.Properties!.SecurityGroupIngress === undefined)).toBe(true);
    });

    it('GIVEN TOPICS WHEN synthesized THEN each is an AWS::MSK::Topic with its partitions and 3 replicas (retention and min ISR from the cluster configuration)', () => {
      const topics = Object.values(p().templates.streaming.findResources('AWS::MSK::Topic')).map((t) => ({
        name: t.Properties!.TopicName,
        partitions: t.Properties!.PartitionCount,
        replicas: t.Properties!.ReplicationFactor,
        deletion: t.DeletionPolicy,
      }));
      expect(topics.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
        Object.values(TOPICS)
          .map((t) => ({
            name: t.name,
            partitions: t.partitions,
            replicas: 3,
            deletion: stage === 'prod' ? 'Retain' : 'Delete',
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    });
  });

  describe('DynamoDB', () => {
    it.each(Object.keys(TABLES) as TableId[])(
      'GIVEN table %s WHEN synthesized THEN it is on demand, point-in-time recoverable, encrypted, protected per stage',
      (tableId) => {
        const spec: (typeof TABLES)[TableId] = TABLES[tableId];
        const tables = resourcesOfType(p().json.data, 'AWS::DynamoDB::Table').filter(([id]) =>
          id.startsWith(`${tableId.charAt(0).toUpperCase()}${tableId.slice(1)}Table`),
        );
        expect(tables).toHaveLength(1);
        expect(tables[0][1]).toMatchObject({
          Properties: {
            KeySchema: [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }],
            AttributeDefinitions: [
              { AttributeName: spec.partitionKey, AttributeType: 'S' },
              // A sparse index adds its keys (the outbox's unpublished entries).
              ...('sparseIndex' in spec
                ? [spec.sparseIndex.partitionKey, spec.sparseIndex.sortKey].map((a) => ({
                    AttributeName: a,
                    AttributeType: 'S',
                  }))
                : []),
            ],
            BillingMode: 'PAY_PER_REQUEST',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true },
            DeletionProtectionEnabled: stage === 'prod',
          },
          DeletionPolicy: stage === 'prod' ? 'Retain' : 'Delete',
        });
        expect(tables[0][1].Properties!.StreamSpecification).toEqual(
          spec.stream ? { StreamViewType: 'NEW_IMAGE' } : undefined,
        );
        expect(tables[0][1].Properties!.TimeToLiveSpecification).toEqual(
          'ttlAttribute' in spec ? { AttributeName: spec.ttlAttribute, Enabled: true } : undefined,
        );
      },
    );
  });

  describe('S3', () => {
    const bucket = (prefix: string) => {
      const found = Object.entries(p().templates.data.findResources('AWS::S3::Bucket')).filter(([id]) =>
        id.startsWith(prefix),
      );
      expect(found).toHaveLength(1);
      return found[0];
    };

    it('GIVEN the archive bucket WHEN synthesized THEN it is private, KMS-encrypted, versioned, logged and tiered to colder storage', () => {
      const [, archive] = bucket('ArchiveBucket');
      expect(archive.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^ArchiveKey/), 'Arn'] },
              },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogBucket/) } },
      });
      const rules = (
        archive.Properties!.LifecycleConfiguration as { Rules: { Transitions?: { StorageClass: string }[] }[] }
      ).Rules;
      expect(rules.flatMap((r) => r.Transitions ?? []).map((t) => t.StorageClass)).toEqual([
        'STANDARD_IA',
        'GLACIER_IR',
      ]);
      expect(archive.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete');
    });

    it('GIVEN the access log bucket WHEN synthesized THEN it is private, S3-encrypted (as log delivery requires) and expires logs', () => {
      const [, logs] = bucket('AccessLogBucket');
      expect(logs.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      });
      expect(logs.Properties!.LifecycleConfiguration).toEqual({
        Rules: expect.arrayContaining([expect.objectContaining({ ExpirationInDays: expect.any(Number) })]),
      });
    });

    it('GIVEN both buckets WHEN synthesized THEN their policies deny every request without TLS', () => {
      const policies = resourcesOfType(p().json.data, 'AWS::S3::BucketPolicy');
      expect(policies).toHaveLength(2);
      for (const [, policy] of policies) {
        expect((policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
      }
    });
  });

  describe('functions', () => {
    it.each(Object.keys(FUNCTIONS))(
      'GIVEN %s WHEN synthesized THEN it runs Node.js 22 on arm64 with tracing, source maps, JSON logs and in the private subnets',
      (functionId) => {
        const logicalId = `${functionId.charAt(0).toUpperCase()}${functionId.slice(1)}Function`;
        const fn = p().json.services.Resources[logicalId];
        expect(fn.Type).toBe('AWS::Lambda::Function');
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          MemorySize: p().config.functions.memorySize,
          Timeout: p().config.functions.timeout.toSeconds(),
          LoggingConfig: {
            LogFormat: 'JSON',
            LogGroup: { Ref: expect.stringMatching(new RegExp(`^${logicalId}LogGroup`)) },
          },
          Environment: {
            Variables: expect.objectContaining({
              NODE_OPTIONS: '--enable-source-maps',
              POWERTOOLS_SERVICE_NAME: functionName(functionId as FunctionId),
            }),
          },
          Tags: expect.arrayContaining([{ Key: 'order-pipeline:function-id', Value: functionId }]),
        });
        expect((fn.Properties!.VpcConfig as { SubnetIds: unknown }).SubnetIds).toEqual(
          expect.arrayContaining([
            { 'Fn::ImportValue': expect.stringMatching(/^OrderPipeline-\w+-Network:\w*PrivateSubnet1/) },
          ]),
        );
      },
    );
  });

  it("GIVEN every function WHEN synthesized THEN none has a simulated provider's fault setting: only a local chaos run adds them", () => {
    const simulated = [ENV.simulatedProviderForgetKeysAfterSeconds, ENV.simulatedProviderRefuseRefunds];
    const functions = resourcesOfType(p().json.services, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      const variables = Object.keys(
        (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
      );
      expect({ id, simulated: variables.filter((v) => simulated.includes(v as never)) }).toEqual({ id, simulated: [] });
    }
  });

  describe('network', () => {
    it('GIVEN the VPC WHEN synthesized THEN it spans 3 AZs with private subnets only, no NAT and no internet gateway', () => {
      const t = p().templates.network;
      t.resourceCountIs('AWS::EC2::Subnet', 3);
      t.resourceCountIs('AWS::EC2::NatGateway', 0);
      t.resourceCountIs('AWS::EC2::InternetGateway', 0);
      t.resourceCountIs('AWS::EC2::FlowLog', 1);
      const azs = resourcesOfType(p().json.network, 'AWS::EC2::Subnet').map(
        ([, s]) => s.Properties!.AvailabilityZoneId,
      );
      // Literal zone ids (the stage's), one subnet in each.
      expect(azs.every((az) => typeof az === 'string')).toBe(true);
      expect(new Set(azs).size).toBe(3);
    });

    it('GIVEN private subnets WHEN synthesized THEN gateway endpoints serve DynamoDB and S3, and interface endpoints (billed by the hour) only the SES API and SQS', () => {
      const endpoints = resourcesOfType(p().json.network, 'AWS::EC2::VPCEndpoint').map(([, e]) => ({
        service: render(e.Properties!.ServiceName).replace(/^.*\./, ''),
        type: e.Properties!.VpcEndpointType,
      }));
      expect(endpoints.sort((a, b) => a.service.localeCompare(b.service))).toEqual([
        { service: 'dynamodb', type: 'Gateway' },
        { service: 'email', type: 'Interface' },
        { service: 's3', type: 'Gateway' },
        { service: 'sqs', type: 'Interface' },
      ]);
    });
  });

  describe('HTTP API', () => {
    it('GIVEN the HTTP API WHEN synthesized THEN every route (orders, clicks, analytics, dashboard) requires IAM, and the order routes reach the order API function', () => {
      const routes = resourcesOfType(p().json.services, 'AWS::ApiGatewayV2::Route').map(([, r]) => [
        r.Properties!.RouteKey,
        r.Properties!.AuthorizationType,
      ]);
      expect(routes.sort()).toEqual([
        ['GET /analytics/pipeline', 'AWS_IAM'],
        ['GET /analytics/popular-products', 'AWS_IAM'],
        ['GET /analytics/summary', 'AWS_IAM'],
        ['GET /analytics/users/{user_id}/recent', 'AWS_IAM'],
        ['GET /dashboard', 'AWS_IAM'],
        ['GET /orders/{order_id}', 'AWS_IAM'],
        ['POST /clicks', 'AWS_IAM'],
        ['POST /orders', 'AWS_IAM'],
      ]);
      p().templates.services.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': ['OrderApiFunction', 'Arn'] },
      });
    });

    it('GIVEN the stage WHEN synthesized THEN it is throttled and writes JSON access logs', () => {
      const stages = p().templates.services.findResources('AWS::ApiGatewayV2::Stage', {
        Properties: {
          StageName: '$default',
          DefaultRouteSettings: {
            ThrottlingRateLimit: p().config.api.throttle.rateLimit,
            ThrottlingBurstLimit: p().config.api.throttle.burstLimit,
          },
          AccessLogSettings: {
            DestinationArn: Match.anyValue(),
            Format: Match.stringLikeRegexp('\\$context.requestId'),
          },
        },
      });
      expect(Object.keys(stages)).toHaveLength(1);
    });
  });

  describe('operations', () => {
    it('GIVEN the alarms WHEN synthesized THEN every alarm notifies the encrypted, TLS-only alarm topic', () => {
      const topics = resourcesOfType(p().json.services, 'AWS::SNS::Topic');
      expect(topics).toHaveLength(1);
      const [topicId, topic] = topics[0];
      expect(topic.Properties!.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/AlarmTopicKey/), 'Arn'],
      });
      p().templates.services.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      const alarms = resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm');
      expect(alarms.length).toBeGreaterThan(20);
      for (const [, alarm] of alarms) expect(alarm.Properties!.AlarmActions).toEqual([{ Ref: topicId }]);
    });

    it('GIVEN every Kafka mapping WHEN synthesized THEN it publishes its EventCount metrics and an alarm fires when Lambda gives up on a record', () => {
      for (const subscription of SUBSCRIPTIONS) {
        const mapping = p().json.services.Resources[`${subscription.id}Mapping`]!;
        expect((mapping.Properties!.MetricsConfig as { Metrics: string[] }).Metrics).toContain('EventCount');
        p().templates.services.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `order-pipeline-${stage}-${pascal(subscription.id)}GivenUp`,
          Metrics: Match.arrayWith(
            ['OnFailureDestinationDeliveredEventCount', 'DroppedEventCount'].map((metricName) =>
              Match.objectLike({
                MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: metricName }) }),
              }),
            ),
          ),
        });
      }
    });

    it('GIVEN the monitored signals WHEN synthesized THEN lag, errors, throttles, dead letters, DynamoDB throttles and API errors alarm', () => {
      const names = resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm').map(([, a]) =>
        String(a.Properties!.AlarmName),
      );
      const prefix = `order-pipeline-${stage}-`;
      expect(names).toEqual(
        expect.arrayContaining(
          [
            'BillingOffsetLag',
            'ArchiveOffsetLag',
            'BillingErrors',
            'OrderApiThrottles',
            'BillingDeadLetters',
            'ArchiveDeadLetters',
            'OutboxTableThrottles',
            'Api5xx',
            'Api4xx',
            'OutboxRelayIteratorAge',
            'OutboxRelayFailures',
            'BrokerDiskUsed',
            'RefundsFailed',
            'BillingClaimsLeftForReconciler',
            'OutboxSweepFailures',
          ].map((n) => prefix + n),
        ),
      );
      expect(alarmEndingWith('BillingDeadLetters')).toMatchObject({
        Namespace: 'OrderPipeline',
        MetricName: 'RecordsDeadLettered',
        Dimensions: [{ Name: 'service', Value: 'billing' }],
      });
      expect(alarmEndingWith('RefundsFailed')).toMatchObject({
        Namespace: 'OrderPipeline',
        MetricName: 'RefundsFailed',
        Dimensions: [{ Name: 'service', Value: 'billing' }],
        Threshold: 1,
      });
      expect(alarmEndingWith('OutboxSweepFailures')).toMatchObject({
        MetricName: 'OutboxSweepFailures',
        Dimensions: [{ Name: 'service', Value: 'outbox-sweeper' }],
      });
    });

    it('GIVEN every Kafka mapping WHEN synthesized THEN an alarm fires when its group has waiting records and the mapping polls none, or neither reports', () => {
      const stalled = resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
        String(a.Properties!.AlarmName).endsWith('Stalled'),
      );
      expect(stalled).toHaveLength(SUBSCRIPTIONS.length);
      for (const subscription of SUBSCRIPTIONS) {
        p().templates.services.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `order-pipeline-${stage}-${pascal(subscription.id)}Stalled`,
          TreatMissingData: 'breaching',
          EvaluationPeriods: 3,
          Metrics: Match.arrayWith([
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({
                  Namespace: 'AWS/Kafka',
                  MetricName: 'MaxOffsetLag',
                  Dimensions: [
                    { Name: 'Consumer Group', Value: subscription.consumerGroupId },
                    { Name: 'Topic', Value: subscription.topic },
                  ],
                }),
              }),
            }),
            Match.objectLike({
              MetricStat: Match.objectLike({
                Metric: Match.objectLike({
                  Namespace: 'AWS/Lambda',
                  MetricName: 'PolledEventCount',
                  Dimensions: [{ Name: 'EventSourceMappingUUID', Value: { Ref: `${subscription.id}Mapping` } }],
                }),
              }),
            }),
          ]),
        });
        p().templates.services.hasResourceProperties('AWS::CloudWatch::Alarm', {
          AlarmName: `order-pipeline-${stage}-${pascal(subscription.id)}Dropped`,
          MetricName: 'DroppedEventCount',
          AlarmDescription: Match.stringLikeRegexp(`the ${subscription.functionId} mapping`),
        });
      }
    });

    it('GIVEN a provisioned cluster WHEN synthesized THEN offline and under-min-ISR partitions, the controller, CPU and disk alarm, and silence counts as an outage', () => {
      const alarms = new Map(
        resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm').map(([, a]) => [
          String(a.Properties!.AlarmName).replace(`order-pipeline-${stage}-`, ''),
          a.Properties!,
        ]),
      );
      /** The metric names an alarm reads: its own, or those of its math expression's metrics. */
      const metricsOf = (name: string): unknown[] => {
        const alarm = alarms.get(name) as
          { MetricName?: string; Metrics?: { MetricStat?: { Metric: { MetricName: string } } }[] } | undefined;
        return alarm?.Metrics?.map((m) => m.MetricStat?.Metric.MetricName) ?? [alarm?.MetricName];
      };
      for (const [name, metric, missing] of [
        ['BrokerOfflinePartitions', 'OfflinePartitionsCount', 'breaching'],
        ['BrokerUnderMinIsrPartitions', 'UnderMinIsrPartitionCount', 'breaching'],
        ['BrokerNoActiveController', 'ActiveControllerCount', 'notBreaching'],
        ['BrokerCpu', 'CpuSystem', 'breaching'],
        ['BrokerDiskUsed', 'KafkaDataLogsDiskUsed', 'breaching'],
      ]) {
        expect(metricsOf(name)).toContain(metric);
        expect(alarms.get(name)!.TreatMissingData).toBe(missing);
      }
      expect(alarms.get('BrokerNoActiveController')!.ComparisonOperator).toBe('LessThanThreshold');
      expect(metricsOf('BrokerCpu')).toContain('CpuUser');
    });

    it('GIVEN each mapping that reads dead_letter WHEN synthesized THEN its failure-queue alarm names that mapping, not another', () => {
      for (const subscription of deadLetterSubscriptions) {
        const others = FUNCTION_IDS_OF_DEAD_LETTER.filter((id) => id !== subscription.functionId);
        const alarm = resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm').find(
          ([, a]) => a.Properties!.AlarmName === `order-pipeline-${stage}-${pascal(subscription.id)}Failures`,
        )![1];
        const text = String(alarm.Properties!.AlarmDescription);
        expect(text).toContain(`The ${subscription.functionId} mapping on dead_letter`);
        for (const other of others) expect(text).not.toContain(other);
      }
    });

    it('GIVEN the dashboard WHEN synthesized THEN it shows offset lag per mapping', () => {
      const [, dashboard] = resourcesOfType(p().json.services, 'AWS::CloudWatch::Dashboard')[0];
      const body = render(dashboard.Properties!.DashboardBody);
      expect(body).toContain('MetricName=\\"OffsetLag\\"');
      expect(body).toContain('${BillingOrdersMapping}');
      expect(body).toContain('${ArchiveDeadLetterMapping}');
    });

    it('GIVEN the stacks WHEN synthesized THEN they output the API URL, bootstrap brokers, table names and bucket name', () => {
      expect(Object.keys(p().json.services.Outputs ?? {})).toEqual(expect.arrayContaining(['ApiUrl']));
      expect(Object.keys(p().json.streaming.Outputs ?? {})).toEqual(
        expect.arrayContaining(['BootstrapBrokersSaslIam']),
      );
      expect(Object.keys(p().json.data.Outputs ?? {})).toEqual(
        expect.arrayContaining(['ArchiveBucketName', 'OrdersTableName', 'OutboxTableName', 'PaymentsTableName']),
      );
    });
  });
});

describe('dev and prod differ where they should', () => {
  it('GIVEN both stages WHEN synthesized THEN prod retains, protects and sizes up what dev throws away', () => {
    const summary = (stage: StageName) => ({
      tableRetention: new Set(
        Object.values(pipelines[stage].templates.data.findResources('AWS::DynamoDB::Table')).map(
          (t) => t.DeletionPolicy,
        ),
      ),
      autoDelete: resourcesOfType(pipelines[stage].json.data, 'Custom::S3AutoDeleteObjects').length,
      brokerVolume: (
        resourcesOfType(pipelines[stage].json.streaming, 'AWS::MSK::Cluster')[0][1].Properties!.BrokerNodeGroupInfo as {
          StorageInfo: { EBSStorageInfo: { VolumeSize: number } };
        }
      ).StorageInfo.EBSStorageInfo.VolumeSize,
    });
    expect(summary('dev')).toEqual({
      tableRetention: new Set(['Delete']),
      autoDelete: 2,
      brokerVolume: 20,
    });
    expect(summary('prod')).toEqual({
      tableRetention: new Set(['Retain']),
      autoDelete: 0,
      brokerVolume: 200,
    });
  });
});
