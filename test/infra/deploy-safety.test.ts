import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TOPIC_RETENTION_MS, TOPICS } from '../../lambdas/shared/contracts/topics';
import { type ConfigContext, loadStageConfig, mskConfigurationName, stageTags } from '../../lib/config';
import { DEFAULT_AVAILABILITY_ZONE_IDS } from '../../lib/availability-zones';
import { NetworkStack } from '../../lib/network-stack';
import { StreamingStack } from '../../lib/streaming-stack';
import {
  importedFrom,
  intrinsicsIn,
  render,
  resourcesOfType,
  STACK_PARTS,
  synthesizeVariant,
  type SynthesizedPipeline,
  VARIANT_NAMES,
  type VariantName,
} from './support/pipeline';

/**
 * What a first `cdk deploy`, a later upgrade and a quiet night in production need from the
 * templates, beyond what cdk-nag and cfn-lint check: asserted on dev, prod and serverless alike.
 */
// Synthesized on first use, so that `-t` can run a part alone.
const pipelines: Partial<Record<VariantName, SynthesizedPipeline>> = {};
const synthesized = (variant: VariantName) => (pipelines[variant] ??= synthesizeVariant(variant));
jest.setTimeout(600_000);

afterAll(() => Object.values(pipelines).forEach((p) => p.dispose()));

describe.each(VARIANT_NAMES)('%s', (variant) => {
  const p = () => synthesized(variant);
  const provisioned = () => p().config.clusterType === 'provisioned';

  describe('topic configuration', () => {
    it('GIVEN TOPICS WHEN synthesized THEN no AWS::MSK::Topic carries per-topic Configs', () => {
      const topics = resourcesOfType(p().json.streaming, 'AWS::MSK::Topic');
      expect(topics.map(([, t]) => t.Properties!.TopicName).sort()).toEqual(
        provisioned()
          ? Object.values(TOPICS)
              .map((t) => t.name)
              .sort()
          : [],
      );
      for (const [, topic] of topics) expect(topic.Properties).not.toHaveProperty('Configs');
    });

    it('GIVEN a provisioned cluster WHEN synthesized THEN its configuration sets retention, min ISR 2 and 3 replicas for every topic', () => {
      const configurations = resourcesOfType(p().json.streaming, 'AWS::MSK::Configuration');
      expect(configurations).toHaveLength(provisioned() ? 1 : 0);
      if (!provisioned()) return;
      const properties = String(configurations[0][1].Properties!.ServerProperties).split('\n');
      expect(properties).toEqual(
        expect.arrayContaining([
          `log.retention.ms=${TOPIC_RETENTION_MS}`,
          'min.insync.replicas=2',
          'default.replication.factor=3',
          'auto.create.topics.enable=false',
        ]),
      );
      p().templates.streaming.hasResourceProperties('AWS::MSK::Cluster', {
        ConfigurationInfo: {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterConfiguration'), 'Arn'] },
          Revision: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterConfiguration'), 'LatestRevision.Revision'] },
        },
      });
    });

    it('GIVEN MSK Serverless WHEN synthesized THEN each topic custom resource sets the retention through the Kafka admin API', () => {
      const topics = resourcesOfType(p().json.streaming, 'Custom::KafkaTopic');
      expect(topics).toHaveLength(provisioned() ? 0 : Object.keys(TOPICS).length);
      for (const [, topic] of topics) expect(topic.Properties!.RetentionMs).toBe(String(TOPIC_RETENTION_MS));
    });
  });
});

describe.each(VARIANT_NAMES)('%s: updates that must not need a new stage', (variant) => {
  const p = () => synthesized(variant);

  it('GIVEN the MSK configuration WHEN synthesized THEN its create-only name carries the Kafka version, so a version bump can replace it', () => {
    const { stage, msk, clusterType } = p().config;
    const configurations = resourcesOfType(p().json.streaming, 'AWS::MSK::Configuration').map(([, c]) => ({
      name: c.Properties!.Name,
      versions: c.Properties!.KafkaVersionsList,
    }));
    const clusterVersions = resourcesOfType(p().json.streaming, 'AWS::MSK::Cluster').map(
      ([, c]) => c.Properties!.KafkaVersion,
    );
    const provisionedCluster = clusterType === 'provisioned';
    expect(configurations).toEqual(
      provisionedCluster ? [{ name: mskConfigurationName(stage, msk.kafkaVersion), versions: [msk.kafkaVersion] }] : [],
    );
    expect(clusterVersions).toEqual(provisionedCluster ? [msk.kafkaVersion] : []);
  });

  it('GIVEN the serverless cluster WHEN synthesized THEN its create-only Tags are exactly the stage tags', () => {
    const clusters = resourcesOfType(p().json.streaming, 'AWS::MSK::ServerlessCluster');
    expect(clusters).toHaveLength(p().config.clusterType === 'serverless' ? 1 : 0);
    for (const [, cluster] of clusters) expect(cluster.Properties!.Tags).toEqual(stageTags(p().config.stage));
  });
});

describe('Kafka version bumps and tags (no synthesis of the services)', () => {
  it('GIVEN two Kafka versions WHEN naming their MSK configurations THEN the names differ and are valid MSK names', () => {
    const names = ['3.9.x.kraft', '4.1.x.kraft'].map((v) => mskConfigurationName('prod', v));
    expect(names).toEqual(['order-pipeline-prod-kafka-3-9-x-kraft', 'order-pipeline-prod-kafka-4-1-x-kraft']);
    for (const name of names) expect(name).toMatch(/^[0-9A-Za-z][0-9A-Za-z-]{0,63}$/);
  });

  it('GIVEN a tag added app-wide after the first deploy WHEN synthesized THEN the serverless cluster still has only the stage tags', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'order-pipeline-tags-'));
    try {
      const app = new App({ outdir });
      const config = loadStageConfig({ clusterType: 'serverless' });
      const network = new NetworkStack(app, 'Network', { config });
      const streaming = new StreamingStack(app, 'Streaming', {
        config,
        vpc: network.vpc,
        kafkaClientSecurityGroup: network.kafkaClientSecurityGroup,
      });
      for (const [key, value] of Object.entries(stageTags('dev'))) Tags.of(app).add(key, value);
      Tags.of(app).add('cost-centre', '42');
      const template = Template.fromStack(streaming);
      const tagsOf = (type: string) =>
        Object.values(template.findResources(type)).map(
          (r) => (r as { Properties: { Tags: unknown } }).Properties.Tags,
        );
      expect(tagsOf('AWS::MSK::ServerlessCluster')).toEqual([stageTags('dev')]);
      // The tag did reach the other resources: the cluster is left out on purpose, not by accident.
      expect(tagsOf('AWS::EC2::SecurityGroup')).toEqual([
        expect.arrayContaining([{ Key: 'cost-centre', Value: '42' }]),
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe.each(VARIANT_NAMES)('%s: environment and availability zones', (variant) => {
  const p = () => synthesized(variant);

  it("GIVEN the stage's settings WHEN synthesized THEN every stack is bound to the stage's region and the 3 subnets take its AZ IDs as literals, looked up from nowhere", () => {
    const { env, network } = p().config;
    for (const part of STACK_PARTS) {
      expect([part, p().assembly.getStackByName(p().stacks[part].stackName).environment]).toEqual([
        part,
        expect.objectContaining({ region: env.region, account: env.account ?? 'unknown-account' }),
      ]);
    }
    const subnets = resourcesOfType(p().json.network, 'AWS::EC2::Subnet').map(([, s]) => s.Properties!);
    expect(subnets.map((s) => s.AvailabilityZone)).toEqual([undefined, undefined, undefined]);
    expect(subnets.map((s) => s.AvailabilityZoneId)).toEqual([...network.availabilityZoneIds]);
    expect(network.availabilityZoneIds).toEqual(DEFAULT_AVAILABILITY_ZONE_IDS[env.region]);
    expect(intrinsicsIn(p().json.network)).not.toContain('Fn::GetAZs');
    // Nothing left for the CLI to look up in AWS: synth needs no credentials.
    expect(p().missingContext).toEqual([]);
  });
});

describe('availability zones (no synthesis of the services)', () => {
  const networkOf = (context: ConfigContext) => {
    const app = new App();
    const stack = new NetworkStack(app, 'Network', { config: loadStageConfig(context) });
    return Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
  };
  const subnetAzIds = (template: ReturnType<typeof networkOf>) =>
    Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::EC2::Subnet')
      .map((r) => r.Properties.AvailabilityZoneId);

  it("GIVEN the region the CLI deploys to WHEN synthesized THEN the subnets use that region's default AZ IDs as literals", () => {
    expect(subnetAzIds(networkOf({ region: 'eu-west-1' }))).toEqual(['euw1-az1', 'euw1-az2', 'euw1-az3']);
  });

  it('GIVEN explicit AZ IDs WHEN synthesized THEN they win over the region default', () => {
    expect(subnetAzIds(networkOf({ region: 'us-east-1', availabilityZoneIds: 'use1-az4,use1-az5,use1-az6' }))).toEqual([
      'use1-az4',
      'use1-az5',
      'use1-az6',
    ]);
  });

  it('GIVEN a region without a default WHEN loading the config THEN synth fails naming the setting', () => {
    expect(() => loadStageConfig({ region: 'us-west-1' })).toThrow(
      /availabilityZoneIds must list three AZ IDs .* no default for us-west-1/,
    );
  });

  it('GIVEN AZ IDs of another region WHEN loading the config THEN synth fails before CloudFormation would', () => {
    expect(() => loadStageConfig({ region: 'eu-west-1', availabilityZoneIds: 'use1-az1,use1-az2,use1-az4' })).toThrow(
      /use1-az1, use1-az2, use1-az4 is not in eu-west-1 \(its AZ IDs start with euw1-\)/,
    );
  });

  it('GIVEN two AZ IDs for three brokers WHEN loading the config THEN synth fails with the rule', () => {
    expect(() => loadStageConfig({ availabilityZoneIds: 'usw1-az1,usw1-az3' })).toThrow(
      /3 AZ IDs are needed, one per broker.* \(got 2: usw1-az1, usw1-az3\)/,
    );
  });

  it('GIVEN an AZ MSK refuses, a duplicate or a name instead of an ID WHEN loading the config THEN every reason is given', () => {
    expect(() => loadStageConfig({ availabilityZoneIds: ['use1-az3', 'use1-az3', 'us-east-1a'] })).toThrow(
      /the AZ IDs must differ[\s\S]*us-east-1a is not an AZ ID[\s\S]*MSK refuses client subnets in use1-az3/,
    );
  });

  it('GIVEN the default table WHEN checked THEN every region has 3 distinct AZ IDs of its own region code', () => {
    for (const [region, ids] of Object.entries(DEFAULT_AVAILABILITY_ZONE_IDS)) {
      expect({ region, ids: loadStageConfig({ region }).network.availabilityZoneIds }).toEqual({ region, ids });
      expect(new Set(ids.map((id) => id.replace(/-az\d+$/, ''))).size).toBe(1);
    }
  });
});

describe.each(VARIANT_NAMES)('%s: cost with no use', (variant) => {
  const p = () => synthesized(variant);

  it('GIVEN provisioned event pollers WHEN synthesized THEN no Lambda or STS endpoint exists: the free S3 and DynamoDB gateway endpoints, and interface endpoints for the SES API and SQS only', () => {
    const modes = resourcesOfType(p().json.services, 'AWS::Lambda::EventSourceMapping')
      .filter(([, m]) => m.Properties!.Topics !== undefined)
      .map(
        ([, m]) => (m.Properties!.ProvisionedPollerConfig as { MinimumPollers?: number } | undefined)?.MinimumPollers,
      );
    expect(modes.length).toBeGreaterThan(0);
    expect(modes.every((minimum) => typeof minimum === 'number' && minimum >= 1)).toBe(true);
    const endpoints = resourcesOfType(p().json.network, 'AWS::EC2::VPCEndpoint').map(([, e]) => [
      render(e.Properties!.ServiceName).replace(/^.*\./, ''),
      e.Properties!.VpcEndpointType,
    ]);
    expect(endpoints.sort()).toEqual([
      ['dynamodb', 'Gateway'],
      ['email', 'Interface'],
      ['s3', 'Gateway'],
      ['sqs', 'Interface'],
    ]);
  });
});

describe.each(VARIANT_NAMES)('%s: records Lambda gives up on', (variant) => {
  const p = () => synthesized(variant);
  const kafkaMappings = () =>
    resourcesOfType(p().json.services, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties!.Topics !== undefined,
    );

  it('GIVEN every Kafka mapping WHEN synthesized THEN it emits the EventCount metrics group', () => {
    const groups = kafkaMappings().map(([, m]) => (m.Properties!.MetricsConfig as { Metrics: string[] }).Metrics);
    expect(groups.length).toBe(SUBSCRIPTIONS.length);
    for (const metrics of groups) expect(metrics).toContain('EventCount');
  });

  it('GIVEN every Kafka mapping WHEN synthesized THEN an alarm fires on records sent to its on-failure destination or dropped', () => {
    const alarmed = resourcesOfType(p().json.services, 'AWS::CloudWatch::Alarm').flatMap(([, a]) => {
      const metrics = (a.Properties!.Metrics ?? []) as {
        MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } };
      }[];
      const names = metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []));
      if (!names.includes('OnFailureDestinationDeliveredEventCount') || !names.includes('DroppedEventCount')) return [];
      return metrics.flatMap((m) =>
        m.MetricStat ? m.MetricStat.Metric.Dimensions.map((d) => `${d.Name}=${render(d.Value)}`) : [],
      );
    });
    expect([...new Set(alarmed)].sort()).toEqual(
      kafkaMappings()
        .map(([logicalId]) => `EventSourceMappingUUID=\${${logicalId}}`)
        .sort(),
    );
  });
});

describe.each(VARIANT_NAMES)('%s: the dead-letter archive fails somewhere else', (variant) => {
  const p = () => synthesized(variant);

  it('GIVEN the mappings that read dead letters WHEN synthesized THEN each fails into an encrypted queue of its own in the data stack, with its own alarm', () => {
    for (const subscription of SUBSCRIPTIONS.filter((s) => s.topic === TOPICS.deadLetter.name)) {
      const queueId = Object.keys(
        p().templates.data.findResources('AWS::SQS::Queue', { Properties: { KmsMasterKeyId: 'alias/aws/sqs' } }),
      ).find((id) => new RegExp(`^${subscription.id}FailureQueue[0-9A-F]{8}$`).test(id))!;
      expect(queueId).toBeDefined();
      // Its own queue: not the dead-letter topic it reads, nor the archive bucket its function writes.
      expect(
        Object.keys(
          p().templates.services.findResources('AWS::Lambda::EventSourceMapping', {
            Properties: {
              DestinationConfig: {
                OnFailure: { Destination: importedFrom(p().stacks.data.stackName, `${queueId}Arn`) },
              },
            },
          }),
        ),
      ).toEqual([`${subscription.id}Mapping`]);
      p().templates.services.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `order-pipeline-${p().config.stage}-${subscription.id}Failures`,
        AlarmDescription: Match.stringLikeRegexp(`^The ${subscription.functionId} mapping on dead_letter`),
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' }),
            }),
          }),
        ]),
        Threshold: 1,
      });
    }
  });
});

describe.each(VARIANT_NAMES)('%s: log retention', (variant) => {
  const p = () => synthesized(variant);

  it('GIVEN every function, CDK providers included WHEN synthesized THEN it logs to a log group of its stack with the stage retention', () => {
    const unretained = STACK_PARTS.flatMap((part) => {
      const template = p().json[part];
      return resourcesOfType(template, 'AWS::Lambda::Function').flatMap(([logicalId, fn]) => {
        const ref = (fn.Properties!.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined)?.LogGroup?.Ref;
        const group = ref === undefined ? undefined : template.Resources[ref];
        const ok =
          group?.Type === 'AWS::Logs::LogGroup' &&
          group.Properties!.RetentionInDays === p().config.functions.logRetention;
        return ok ? [] : [`${part}/${logicalId}`];
      });
    });
    expect(unretained).toEqual([]);
  });
});
