import { FUNCTIONS, functionLogicalId, type FunctionId } from '../../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS } from '../../lambdas/shared/contracts/subscriptions';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { withLatencyBudget } from '../../lib/latency-budget';
import { mappingLogicalId } from '../../lib/wiring';
import type { CfnResource } from '../../local/runtime/runner/cloudformation';
import { render, resourcesOfType, synthesizePipeline, type SynthesizedPipeline } from './support/pipeline';

let pipeline: SynthesizedPipeline;
let resources: Record<string, CfnResource>;

beforeAll(() => {
  pipeline = synthesizePipeline({ stage: 'dev' });
  resources = pipeline.json.services.Resources;
}, 300_000);

afterAll(() => pipeline?.dispose());

const kafkaMappings = () =>
  resourcesOfType(pipeline.json.services, 'AWS::Lambda::EventSourceMapping').filter(([, r]) => r.Properties?.Topics);

describe('Kafka event source mappings (dev)', () => {
  it('GIVEN SUBSCRIPTIONS WHEN synthesized THEN there is exactly one Kafka mapping per subscription', () => {
    expect(
      kafkaMappings()
        .map(([id]) => id)
        .sort(),
    ).toEqual(SUBSCRIPTIONS.map((s) => mappingLogicalId(s)).sort());
  });

  describe.each(SUBSCRIPTIONS.map((s) => [s.id, s] as const))('%s', (_id, subscription) => {
    const props = () => resources[mappingLogicalId(subscription)].Properties!;

    it('THEN it reads its topic with its fixed consumer group from the oldest record, on the MSK cluster', () => {
      expect(props().Topics).toEqual([subscription.topic]);
      expect(props().AmazonManagedKafkaEventSourceConfig).toEqual({ ConsumerGroupId: subscription.consumerGroupId });
      expect(props().StartingPosition).toBe('TRIM_HORIZON');
      expect(render(props().EventSourceArn)).toMatch(/^\$\{Import:OrderPipeline-Dev-Streaming:.*ClusterArn/);
      expect(render(props().FunctionName)).toBe(`\${${functionLogicalId(subscription.functionId)}}`);
    });

    it('THEN its filter is the subscription filter on the record value, or none', () => {
      const filters = (props().FilterCriteria as { Filters: { Pattern: string }[] } | undefined)?.Filters;
      expect(filters?.map((f) => JSON.parse(f.Pattern))).toEqual(
        subscription.filter ? [{ value: subscription.filter }] : undefined,
      );
    });

    // The archive retries whole batches only: a split or partially retried batch would archive records twice.
    const wholeBatches = subscription.functionId === 'archive';

    it('THEN bounded retries, bisection, partial batch responses and record age come from the stage, batching from the latency budget', () => {
      const m = pipeline.config.mappings;
      const budget = withLatencyBudget(subscription, 'dev', m);
      expect(props()).toMatchObject({
        BatchSize: budget.batchSize,
        MaximumBatchingWindowInSeconds: budget.maxBatchingWindow.toSeconds(),
        MaximumRetryAttempts: m.retryAttempts,
        BisectBatchOnFunctionError: !wholeBatches,
        MaximumRecordAgeInSeconds: m.maxRecordAge.toSeconds(),
      });
      expect(props().FunctionResponseTypes).toEqual(wholeBatches ? undefined : ['ReportBatchItemFailures']);
      expect(props().MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    });

    it('THEN it runs on provisioned pollers in the stage poller group (the error controls need them)', () => {
      const { pollers } = withLatencyBudget(subscription, 'dev', pipeline.config.mappings);
      expect(props().ProvisionedPollerConfig).toEqual({
        MinimumPollers: pollers.minimum,
        MaximumPollers: pollers.maximum,
        PollerGroupName: 'order-pipeline-dev',
      });
    });

    it('THEN failed records go to the dead-letter topic, or to a queue of their own when it reads that topic', () => {
      const destination = (props().DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination;
      const rendered = render(destination).replace(
        new RegExp(`^\\$\\{Import:[^}]*${subscription.id}FailureQueue\\w+\\}$`),
        'failure queue',
      );
      const expected =
        subscription.topic === TOPICS.deadLetter.name ? 'failure queue' : `kafka://${TOPICS.deadLetter.name}`;
      expect(rendered).toBe(expected);
    });

    it('THEN it depends on the resource that creates its topic', () => {
      const mapping = pipeline.stacks.services.mappings[subscription.id];
      const topic = pipeline.stacks.streaming.topics[subscription.topic];
      expect(mapping.node.dependencies).toContain(topic);
    });
  });

  it('GIVEN mappings depend on topics in the streaming stack WHEN synthesized THEN the services stack deploys after it', () => {
    const services = pipeline.assembly.getStackByName('OrderPipeline-Dev-Services');
    expect(services.dependencies.map((d) => d.id)).toEqual(
      expect.arrayContaining(['OrderPipeline-Dev-Streaming', 'OrderPipeline-Dev-Data', 'OrderPipeline-Dev-Network']),
    );
  });

  it('GIVEN the filtered flows WHEN synthesized THEN inventory and shipping only see paid billing outcomes', () => {
    for (const id of ['InventoryPaidOrdersMapping', 'ShippingPaidOrdersMapping']) {
      const pattern = (resources[id].Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]
        .Pattern;
      expect(JSON.parse(pattern)).toEqual({ value: { payment_status: ['paid'] } });
    }
  });
});

describe('function environment for the mappings (dev)', () => {
  const env = (functionId: FunctionId) =>
    (resources[functionLogicalId(functionId)].Properties!.Environment as { Variables: Record<string, unknown> })
      .Variables;

  it.each(Object.keys(FUNCTIONS) as FunctionId[])(
    'GIVEN %s WHEN synthesized THEN KAFKA_PARTIAL_BATCH_RESPONSE is "true" exactly when its mappings report item failures',
    (functionId) => {
      const responseTypes = new Set(
        SUBSCRIPTIONS.filter((s) => s.functionId === functionId).map((s) =>
          JSON.stringify(resources[mappingLogicalId(s)].Properties!.FunctionResponseTypes ?? []),
        ),
      );
      expect(responseTypes.size).toBeLessThanOrEqual(1);
      const expected =
        responseTypes.size === 0 ? undefined : String([...responseTypes][0] === '["ReportBatchItemFailures"]');
      expect(env(functionId).KAFKA_PARTIAL_BATCH_RESPONSE).toBe(expected);
    },
  );
});

describe('outbox relay (dev)', () => {
  const relay = () => resources.OutboxRelayStreamMapping.Properties!;

  it('GIVEN the outbox table stream WHEN synthesized THEN only INSERTs reach the relay', () => {
    expect(render(relay().EventSourceArn)).toMatch(/Import:OrderPipeline-Dev-Data:.*OutboxTable.*StreamArn/);
    expect(render(relay().FunctionName)).toBe('${OutboxRelayFunction}');
    const pattern = (relay().FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0].Pattern;
    expect(JSON.parse(pattern)).toEqual({ eventName: ['INSERT'] });
  });

  it('GIVEN a failing stream batch WHEN synthesized THEN it is bisected, retried a bounded number of times, then sent to an encrypted queue', () => {
    expect(relay()).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: pipeline.config.mappings.retryAttempts,
    });
    // The queue lives in the data stack (it outlives a services replacement): imported by ARN.
    const destination = render(
      (relay().DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination,
    );
    const [queueId, queue] = resourcesOfType(pipeline.json.data, 'AWS::SQS::Queue').find(([id]) =>
      /^OutboxRelayFailureQueue[0-9A-F]{8}$/.test(id),
    )!;
    expect(destination).toMatch(new RegExp(`^\\$\\{Import:[^}]*${queueId}Arn`));
    expect(queue.Properties).toMatchObject({ KmsMasterKeyId: 'alias/aws/sqs' });
    const queuePolicy = resourcesOfType(pipeline.json.data, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      render(p.Properties!.Queues).includes(queueId),
    );
    expect(JSON.stringify(queuePolicy?.[1].Properties?.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });
});
