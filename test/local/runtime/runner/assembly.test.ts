import { join } from 'node:path';
import { APP_BINDINGS } from '../../../../local/lab/app-bindings';
import { assemblyFromTemplates, AssemblyError, loadAssembly } from '../../../../local/runtime/runner/assembly';
import type { RunnerBindings } from '../../../../local/runtime/runner/bindings';
import { BILLING_ORDERS_MAPPING, fixtureStacks, resourcesOf, RUNNER_ASSEMBLY } from '../../../support/runner-assembly';

const FIXTURE = RUNNER_ASSEMBLY;

describe('loadAssembly', () => {
  it('GIVEN a synthesized assembly WHEN it is loaded THEN every function is found by its id tag with its bundle and settings', async () => {
    const assembly = await loadAssembly(FIXTURE, APP_BINDINGS);

    expect(assembly.functions.map((f) => [f.id, f.logicalId, f.stack])).toEqual([
      ['billing', 'BillingFunctionEC8E7E61', 'Services'],
      ['outboxRelay', 'RelayFunctionD137DF95', 'Services'],
    ]);
    const billing = assembly.functions[0];
    expect(billing.bundleDir).toBe(join(FIXTURE, 'asset.fixture'));
    expect(billing.handler).toBe('index.handler');
    expect(billing.runtime).toBe('nodejs22.x');
    expect(billing.timeoutSeconds).toBe(30);
    expect(billing.memorySizeMb).toBe(128);
    expect(billing.functionName).toBe('Services-BillingFunctionEC8E7E61');
    expect(billing.environment.PAYMENTS_TABLE).toEqual({
      'Fn::ImportValue': 'Data:ExportsOutputRefPaymentsTable48A42630E9179FB6',
    });
    expect(assembly.functions[1].timeoutSeconds).toBe(3);
  });

  it('GIVEN a Kafka mapping with every control set WHEN it is loaded THEN all its settings are read from the template', async () => {
    const assembly = await loadAssembly(FIXTURE, APP_BINDINGS);

    const mapping = assembly.kafkaMappings.find((m) => m.topic === 'billing_outcome');
    expect(mapping).toEqual({
      kind: 'kafka',
      id: 'BillingFunctionKafkaEventSourceServicesBillingFunction084B53C2billingoutcome103532EE',
      stack: 'Services',
      functionLogicalId: 'BillingFunctionEC8E7E61',
      functionId: 'billing',
      enabled: true,
      topic: 'billing_outcome',
      consumerGroupId: 'inventory.billing_outcome',
      eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/order-pipeline/abcd',
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      maximumBatchingWindowSeconds: 1,
      filterPatterns: ['{"value":{"payment_status":["paid"]}}'],
      maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      maximumRecordAgeSeconds: 3600,
      onFailure: { type: 'kafka', topic: 'dead_letter' },
    });
  });

  it('GIVEN a Kafka mapping that sets only topic, group and position WHEN it is loaded THEN Lambda defaults apply', async () => {
    const assembly = await loadAssembly(FIXTURE, APP_BINDINGS);

    const mapping = assembly.kafkaMappings.find((m) => m.topic === 'orders')!;
    expect(mapping.consumerGroupId).toBe('billing.orders');
    expect(mapping.startingPosition).toBe('LATEST');
    expect(mapping.batchSize).toBe(100);
    expect(mapping.maximumBatchingWindowSeconds).toBe(0.5);
    expect(mapping.maximumRetryAttempts).toBe(-1);
    expect(mapping.maximumRecordAgeSeconds).toBe(-1);
    expect(mapping.bisectBatchOnFunctionError).toBe(false);
    expect(mapping.reportBatchItemFailures).toBe(false);
    expect(mapping.onFailure).toBeUndefined();
    expect(mapping.filterPatterns).toEqual([]);
    expect(mapping.eventSourceArn).toBeUndefined();
  });

  it('GIVEN the outbox stream mapping through a cross-stack import WHEN it is loaded THEN it reads the outbox table stream', async () => {
    const assembly = await loadAssembly(FIXTURE, APP_BINDINGS);

    expect(assembly.streamMappings).toEqual([
      expect.objectContaining({
        kind: 'dynamodb',
        functionId: 'outboxRelay',
        tableName: 'outbox',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        maximumBatchingWindowSeconds: 0,
        filterPatterns: ['{"eventName":["INSERT"]}'],
        maximumRetryAttempts: 5,
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: true,
      }),
    ]);
  });

  it('GIVEN a directory without a manifest WHEN it is loaded THEN the error says to synthesize first', async () => {
    await expect(loadAssembly(join(FIXTURE, 'asset.fixture'), APP_BINDINGS)).rejects.toThrow(
      /manifest\.json not found: synthesize/,
    );
  });
});

describe('assemblyFromTemplates', () => {
  it('GIVEN a mapping whose function has no function-id tag WHEN the assembly is read THEN the error names the function', () => {
    const stacks = fixtureStacks();
    delete resourcesOf(stacks, 'Services').RelayFunctionD137DF95.Properties.Tags;

    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(AssemblyError);
    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(
      /targets function RelayFunctionD137DF95 \(stack Services\), which has no order-pipeline:function-id tag/,
    );
  });

  it('GIVEN an untagged function no mapping targets (a CDK custom resource provider) WHEN the assembly is read THEN it is listed, not run', () => {
    const stacks = fixtureStacks();
    const resources = resourcesOf(stacks, 'Services');
    resources.CustomResourceProviderHandler = {
      Type: 'AWS::Lambda::Function',
      Properties: { Handler: '__entrypoint__.handler', Runtime: 'nodejs22.x', Code: { S3Key: 'other.zip' } },
    };

    const assembly = assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS);

    expect(assembly.functions.map((f) => f.id)).toEqual(['billing', 'outboxRelay']);
    expect(assembly.untaggedFunctions).toEqual([{ logicalId: 'CustomResourceProviderHandler', stack: 'Services' }]);
  });

  it('GIVEN HTTP API routes with Lambda integrations WHEN the assembly is read THEN each route names the function it invokes', () => {
    const stacks = fixtureStacks();
    const resources = resourcesOf(stacks, 'Services');
    // The shape HttpLambdaIntegration synthesizes: Target joins "integrations/" with the integration's Ref.
    const integration = (logicalId: string, functionLogicalId: string) => {
      resources[logicalId] = {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: { IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] } },
      };
    };
    const route = (logicalId: string, routeKey: string, integrationId: string) => {
      resources[logicalId] = {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: { RouteKey: routeKey, Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] } },
      };
    };
    integration('BillingIntegration', 'BillingFunctionEC8E7E61');
    integration('RelayIntegration', 'RelayFunctionD137DF95');
    route('PaymentsRoute', 'GET /payments/{payment_id}', 'BillingIntegration');
    route('RelayRoute', 'POST /relay', 'RelayIntegration');

    const assembly = assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS);

    expect(assembly.httpRoutes).toEqual([
      { routeKey: 'GET /payments/{payment_id}', functionId: 'billing' },
      { routeKey: 'POST /relay', functionId: 'outboxRelay' },
    ]);
  });

  it('GIVEN a route whose integration is not a function WHEN the assembly is read THEN the error names the route', () => {
    const stacks = fixtureStacks();
    const resources = resourcesOf(stacks, 'Services');
    resources.HttpIntegration = {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com' },
    };
    resources.ProxyRoute = {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: {
        RouteKey: 'ANY /proxy',
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: 'HttpIntegration' }]] },
      },
    };

    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(
      /route ProxyRoute \(stack Services\): integration HttpIntegration has IntegrationUri "https:\/\/example.com", not a function/,
    );
  });

  it("GIVEN a tag naming none of the app's functions WHEN the assembly is read THEN it is rejected", () => {
    const stacks = fixtureStacks();
    resourcesOf(stacks, 'Services').RelayFunctionD137DF95.Properties.Tags = [
      { Key: 'order-pipeline:function-id', Value: 'payroll' },
    ];

    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(
      /payroll is not one of the app's functions/,
    );
  });

  it('GIVEN a Kafka mapping without a consumer group WHEN the assembly is read THEN it is rejected', () => {
    const stacks = fixtureStacks();
    const mapping = resourcesOf(stacks, 'Services')[BILLING_ORDERS_MAPPING];
    delete mapping.Properties.AmazonManagedKafkaEventSourceConfig;

    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(/no literal ConsumerGroupId/);
  });

  it('GIVEN a mapping whose function is in no template WHEN the assembly is read THEN the error names the mapping', () => {
    const stacks = fixtureStacks();
    const mapping = resourcesOf(stacks, 'Services')[BILLING_ORDERS_MAPPING];
    mapping.Properties.FunctionName = { Ref: 'Gone' };

    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(
      /event source mapping BillingFunctionKafkaEventSourceServicesBillingFunction084B53C2orders1A2B3C4D .* names no function/,
    );
  });

  it('GIVEN an on-failure destination on an SQS queue WHEN the assembly is read THEN it is kept as an SQS destination', () => {
    const stacks = fixtureStacks();
    const mapping = resourcesOf(stacks, 'Services')[BILLING_ORDERS_MAPPING];
    mapping.Properties.DestinationConfig = { OnFailure: { Destination: 'arn:aws:sqs:eu-west-1:123456789012:dlq' } };

    const assembly = assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS);

    expect(assembly.kafkaMappings.find((m) => m.topic === 'orders')!.onFailure).toEqual({
      type: 'sqs',
      raw: 'arn:aws:sqs:eu-west-1:123456789012:dlq',
    });
  });
});

describe('the runner bindings', () => {
  it('GIVEN the bindings of another app WHEN the assembly is read THEN its tag, function ids, bucket variable and stream table are the ones used', () => {
    const stacks = fixtureStacks();
    const services = resourcesOf(stacks, 'Services');
    for (const resource of Object.values(services)) {
      for (const tag of (resource.Properties?.Tags ?? []) as { Key: string }[]) tag.Key = 'other-app:id';
    }
    const billingEnv = (
      services.BillingFunctionEC8E7E61.Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    billingEnv.FAILURES_BUCKET = billingEnv.ARCHIVE_BUCKET;
    delete billingEnv.ARCHIVE_BUCKET;
    services[BILLING_ORDERS_MAPPING].Properties.DestinationConfig = {
      OnFailure: { Destination: { 'Fn::ImportValue': 'Data:ExportsOutputRefArchiveDA4CB258CBE311AF' } },
    };
    const bindings: RunnerBindings = {
      functionIdTag: 'other-app:id',
      functionIds: ['billing', 'outboxRelay'],
      localEnvironment: () => ({}),
      buckets: { FAILURES_BUCKET: 'failures' },
      streamTables: [{ partitionKey: 'event_id', localName: 'events' }],
    };

    const assembly = assemblyFromTemplates(FIXTURE, stacks, bindings);

    expect(assembly.functions.map((f) => f.id)).toEqual(['billing', 'outboxRelay']);
    expect(assembly.kafkaMappings.find((m) => m.topic === 'orders')!.onFailure).toEqual({
      type: 's3',
      bucketLogicalId: 'ArchiveDA4CB258',
      localBucket: 'failures',
    });
    expect(assembly.streamMappings.map((m) => m.tableName)).toEqual(['events']);
    expect(() => assemblyFromTemplates(FIXTURE, stacks, APP_BINDINGS)).toThrow(
      /which has no order-pipeline:function-id tag/,
    );
  });
});
