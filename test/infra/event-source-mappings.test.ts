import { Match, type Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, functionLogicalId, type FunctionId } from '../../lambdas/shared/contracts/functions';
import { SUBSCRIPTIONS, type Subscription } from '../../lambdas/shared/contracts/subscriptions';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { withLatencyBudget } from '../../lib/latency-budget';
import { mappingLogicalId } from '../../lib/wiring';
import { importedFrom, synthesizeVariant, type SynthesizedPipeline } from './support/pipeline';

let pipeline: SynthesizedPipeline;
let services: Template;

beforeAll(() => {
  pipeline = synthesizeVariant('dev');
  services = pipeline.templates.services;
}, 300_000);

afterAll(() => pipeline?.dispose());

const MAPPING = 'AWS::Lambda::EventSourceMapping';

/** The logical ids of the mappings whose properties match `properties`. */
const mappingsWith = (properties: Record<string, unknown>): string[] =>
  Object.keys(services.findResources(MAPPING, { Properties: properties })).sort();

/** Asserts that the mapping of `subscription` has `properties` (a Match pattern): it names the mapping. */
const expectMapping = (subscription: Subscription, properties: Record<string, unknown>): void =>
  expect(mappingsWith(properties)).toContain(mappingLogicalId(subscription));

describe('Kafka event source mappings (dev)', () => {
  it('GIVEN SUBSCRIPTIONS WHEN synthesized THEN there is exactly one Kafka mapping per subscription', () => {
    expect(mappingsWith({ Topics: Match.anyValue() })).toEqual(SUBSCRIPTIONS.map((s) => mappingLogicalId(s)).sort());
  });

  describe.each(SUBSCRIPTIONS.map((s) => [s.id, s] as const))('%s', (_id, subscription) => {
    it('THEN it reads its topic with its fixed consumer group from the oldest record, on the MSK cluster', () => {
      expectMapping(subscription, {
        Topics: [subscription.topic],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: subscription.consumerGroupId },
        StartingPosition: 'TRIM_HORIZON',
        EventSourceArn: importedFrom('OrderPipeline-Dev-Streaming', 'ClusterArn'),
        FunctionName: { Ref: functionLogicalId(subscription.functionId) },
      });
    });

    it('THEN its filter is the subscription filter on the record value, or none', () => {
      expectMapping(subscription, {
        FilterCriteria: subscription.filter
          ? { Filters: [{ Pattern: Match.serializedJson({ value: subscription.filter }) }] }
          : Match.absent(),
      });
    });

    // The archive retries whole batches only: a split or partially retried batch would archive records twice.
    const wholeBatches = subscription.functionId === 'archive';

    it('THEN bounded retries, bisection, partial batch responses and record age come from the stage, batching from the latency budget', () => {
      const m = pipeline.config.mappings;
      const budget = withLatencyBudget(subscription, 'dev', m);
      expect(m.retryAttempts).toBeGreaterThanOrEqual(0);
      expectMapping(subscription, {
        BatchSize: budget.batchSize,
        MaximumBatchingWindowInSeconds: budget.maxBatchingWindow.toSeconds(),
        MaximumRetryAttempts: m.retryAttempts,
        BisectBatchOnFunctionError: !wholeBatches,
        MaximumRecordAgeInSeconds: m.maxRecordAge.toSeconds(),
        FunctionResponseTypes: wholeBatches ? Match.absent() : ['ReportBatchItemFailures'],
      });
    });

    it('THEN it runs on provisioned pollers in the stage poller group (the error controls need them)', () => {
      const { pollers } = withLatencyBudget(subscription, 'dev', pipeline.config.mappings);
      expectMapping(subscription, {
        ProvisionedPollerConfig: {
          MinimumPollers: pollers.minimum,
          MaximumPollers: pollers.maximum,
          PollerGroupName: 'order-pipeline-dev',
        },
      });
    });

    it('THEN failed records go to the dead-letter topic, or to a queue of their own when it reads that topic', () => {
      expectMapping(subscription, {
        DestinationConfig: {
          OnFailure: {
            Destination:
              subscription.topic === TOPICS.deadLetter.name
                ? importedFrom('OrderPipeline-Dev-Data', `${subscription.id}FailureQueue[0-9A-F]{8}Arn`)
                : `kafka://${TOPICS.deadLetter.name}`,
          },
        },
      });
    });

    it('THEN it depends on the resource that creates its topic', () => {
      const mapping = pipeline.stacks.services.mappings[subscription.id];
      const topic = pipeline.stacks.streaming.topics[subscription.topic];
      expect(mapping.node.dependencies).toContain(topic);
    });
  });

  it('GIVEN mappings depend on topics in the streaming stack WHEN synthesized THEN the services stack deploys after it', () => {
    const stack = pipeline.assembly.getStackByName('OrderPipeline-Dev-Services');
    expect(stack.dependencies.map((d) => d.id)).toEqual(
      expect.arrayContaining(['OrderPipeline-Dev-Streaming', 'OrderPipeline-Dev-Data', 'OrderPipeline-Dev-Network']),
    );
  });

  it('GIVEN the filtered flows WHEN synthesized THEN inventory and shipping only see paid billing outcomes', () => {
    const paidOnly = mappingsWith({
      FilterCriteria: { Filters: [{ Pattern: Match.serializedJson({ value: { payment_status: ['paid'] } }) }] },
    });
    expect(paidOnly).toEqual(expect.arrayContaining(['InventoryPaidOrdersMapping', 'ShippingPaidOrdersMapping']));
  });
});

describe('function environment for the mappings (dev)', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionId[])(
    'GIVEN %s WHEN synthesized THEN KAFKA_PARTIAL_BATCH_RESPONSE is "true" exactly when its mappings report item failures',
    (functionId) => {
      const own = SUBSCRIPTIONS.filter((s) => s.functionId === functionId).map((s) => mappingLogicalId(s));
      const reporting = mappingsWith({ FunctionResponseTypes: ['ReportBatchItemFailures'] }).filter((id) =>
        own.includes(id),
      );
      // One handler serves all of a function's mappings: they agree, and its environment says what they do.
      expect(reporting.length === 0 || reporting.length === own.length).toBe(true);
      const expected = own.length === 0 ? Match.absent() : String(reporting.length > 0);
      expect(
        Object.keys(
          services.findResources('AWS::Lambda::Function', {
            Properties: { Environment: { Variables: Match.objectLike({ KAFKA_PARTIAL_BATCH_RESPONSE: expected }) } },
          }),
        ),
      ).toContain(functionLogicalId(functionId));
    },
  );
});

describe('outbox relay (dev)', () => {
  it('GIVEN the outbox table stream WHEN synthesized THEN only INSERTs reach the relay', () => {
    expect(
      mappingsWith({
        EventSourceArn: importedFrom('OrderPipeline-Dev-Data', 'OutboxTable[0-9A-F]{8}StreamArn'),
        FunctionName: { Ref: 'OutboxRelayFunction' },
        FilterCriteria: { Filters: [{ Pattern: Match.serializedJson({ eventName: ['INSERT'] }) }] },
      }),
    ).toEqual(['OutboxRelayStreamMapping']);
  });

  it('GIVEN a failing stream batch WHEN synthesized THEN it is bisected, retried a bounded number of times, then sent to an encrypted queue', () => {
    const data = pipeline.templates.data;
    // The queue lives in the data stack (it outlives a services replacement): imported by ARN.
    const [queueId] = Object.keys(
      data.findResources('AWS::SQS::Queue', { Properties: { KmsMasterKeyId: 'alias/aws/sqs' } }),
    ).filter((id) => /^OutboxRelayFailureQueue[0-9A-F]{8}$/.test(id));
    expect(queueId).toBeDefined();
    expect(
      mappingsWith({
        StartingPosition: 'TRIM_HORIZON',
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: pipeline.config.mappings.retryAttempts,
        DestinationConfig: { OnFailure: { Destination: importedFrom('OrderPipeline-Dev-Data', `${queueId}Arn`) } },
      }),
    ).toContain('OutboxRelayStreamMapping');
    data.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});
