import { Match } from 'aws-cdk-lib/assertions';
import { TOPIC_RETENTION_MS, TOPICS } from '../../lambdas/shared/contracts/topics';
import type { ConfigContext } from '../../lib/config';
import { resourcesOfType, synthesizePipeline, type SynthesizedPipeline } from './support/pipeline';

/**
 * What a first `cdk deploy`, a later upgrade and a quiet night in production need from the
 * templates, beyond what cdk-nag and cfn-lint check: asserted on dev, prod and serverless alike.
 */
const VARIANTS: Record<string, ConfigContext> = {
  dev: { stage: 'dev' },
  prod: { stage: 'prod' },
  serverless: { stage: 'dev', clusterType: 'serverless' },
};

const pipelines: Record<string, SynthesizedPipeline> = {};

beforeAll(() => {
  for (const [name, context] of Object.entries(VARIANTS)) pipelines[name] = synthesizePipeline(context);
}, 900_000);

afterAll(() => Object.values(pipelines).forEach((p) => p.dispose()));

describe.each(Object.keys(VARIANTS))('%s', (variant) => {
  const p = () => pipelines[variant];
  const provisioned = () => p().config.clusterType === 'provisioned';

  describe('topic configuration', () => {
    it('GIVEN TOPICS WHEN synthesized THEN no AWS::MSK::Topic carries per-topic Configs', () => {
      const topics = resourcesOfType(p().json.streaming, 'AWS::MSK::Topic');
      expect(topics.map(([, t]) => t.Properties!.TopicName).sort()).toEqual(
        provisioned() ? Object.values(TOPICS).map((t) => t.name).sort() : [],
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
