import {
  bootstrapBrokersFromProperties,
  planTopic,
  topicSpecFromProperties,
  type TopicSpec,
} from '../../lambdas/topic-provisioner/topic-plan';

const spec: TopicSpec = { name: 'orders', partitions: 6, configs: { 'retention.ms': '604800000' } };

describe('serverless topic provisioner plan', () => {
  it('GIVEN the topic does not exist WHEN planning THEN it is created with its partitions and configs', () => {
    expect(planTopic(spec, undefined)).toEqual([{ kind: 'create', spec }]);
  });

  it('GIVEN the topic exists with as many partitions WHEN planning THEN only its configs are set again', () => {
    expect(planTopic(spec, { partitions: 6 })).toEqual([{ kind: 'setConfigs', name: 'orders', configs: spec.configs }]);
  });

  it('GIVEN the topic has fewer partitions WHEN planning THEN partitions are added up to the definition', () => {
    expect(planTopic(spec, { partitions: 3 })).toEqual([
      { kind: 'addPartitions', name: 'orders', total: 6 },
      { kind: 'setConfigs', name: 'orders', configs: spec.configs },
    ]);
  });

  it('GIVEN the topic has more partitions WHEN planning THEN it refuses, since Kafka cannot remove partitions', () => {
    expect(() => planTopic(spec, { partitions: 12 })).toThrow(/has 12 partitions; Kafka cannot reduce them to 6/);
  });

  it('GIVEN CloudFormation string properties WHEN reading THEN the spec is typed', () => {
    expect(
      topicSpecFromProperties({ ServiceToken: 'arn', TopicName: 'orders', Partitions: '6', RetentionMs: '604800000' }),
    ).toEqual(spec);
    expect(bootstrapBrokersFromProperties({ BootstrapBrokers: 'b-1:9098, b-2:9098' })).toEqual([
      'b-1:9098',
      'b-2:9098',
    ]);
  });

  it.each([
    [{ Partitions: '6', RetentionMs: '1' }, /TopicName is required/],
    [{ TopicName: 'orders', Partitions: 'zero', RetentionMs: '1' }, /Partitions must be a positive integer/],
    [{ TopicName: 'orders', Partitions: '6', RetentionMs: '7d' }, /RetentionMs must be an integer string/],
  ])('GIVEN invalid properties %o WHEN reading THEN it throws %s', (properties, reason) => {
    expect(() => topicSpecFromProperties(properties)).toThrow(reason);
  });
});
