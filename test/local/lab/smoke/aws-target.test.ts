import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { awsSmokeTarget, outputsFromFile } from '../../../../local/lab/smoke/aws-target';
import { runSmoke } from '../../../../local/lab/smoke/smoke';
import { startOrderApiStub } from './support';

const cloudFormationMock = mockClient(CloudFormationClient);
const lambdaMock = mockClient(LambdaClient);
const credentials = { accessKeyId: 'AKIDSMOKE', secretAccessKey: 'secret' };
const ARN = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

beforeEach(() => {
  cloudFormationMock.reset();
  lambdaMock.reset();
});

async function smokeAgainst(apiUrl: string, timeoutMs = 5_000) {
  cloudFormationMock.on(DescribeStacksCommand, { StackName: 'OrderPipeline-Dev-Services' }).resolves({
    Stacks: [
      {
        StackName: 'OrderPipeline-Dev-Services',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'ApiUrl', OutputValue: `${apiUrl}/` },
          { OutputKey: 'BillingFunctionName', OutputValue: 'billing-fn' },
          { OutputKey: 'ShippingFunctionName', OutputValue: 'shipping-fn' },
          { OutputKey: 'AlarmTopicArn', OutputValue: 'arn:aws:sns:eu-west-1:123456789012:alarms' },
        ],
      },
    ],
  });
  const target = await awsSmokeTarget({
    label: 'dev',
    stackName: 'OrderPipeline-Dev-Services',
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1', credentials }),
    lambda: new LambdaClient({ region: 'eu-west-1', credentials }),
  });
  return runSmoke(target, { productId: 'abc', currency: 'USD', timeoutMs, pollMs: 1 });
}

/** A mapping as ListEventSourceMappings lists it: enabled, its last result OK, unless given. */
const mapping = (UUID: string, fn: string, topic: string, rest: Record<string, string> = {}) => ({
  UUID,
  FunctionArn: ARN(fn),
  Topics: [topic],
  State: 'Enabled',
  LastProcessingResult: 'OK',
  ...rest,
});

describe('npm run smoke against a deployed stage (AWS SDK mocked, order API stand-in)', () => {
  it('GIVEN healthy mappings over two pages WHEN smoke-tested THEN the order is placed with SigV4, followed to SHIPPED, and every mapping of the stack functions is checked', async () => {
    lambdaMock
      .on(ListEventSourceMappingsCommand, { FunctionName: 'billing-fn', Marker: undefined })
      .resolves({
        EventSourceMappings: [mapping('u1', 'billing-fn', 'orders')],
        NextMarker: 'page-2',
      })
      .on(ListEventSourceMappingsCommand, { FunctionName: 'billing-fn', Marker: 'page-2' })
      .resolves({
        EventSourceMappings: [
          mapping('u2', 'billing-fn', 'order_cancellations', { LastProcessingResult: 'No records processed' }),
        ],
      })
      .on(ListEventSourceMappingsCommand, { FunctionName: 'shipping-fn' })
      .resolves({
        EventSourceMappings: [mapping('u3', 'shipping-fn', 'payments')],
      });
    const api = await startOrderApiStub({ pendingPolls: 2 });
    try {
      const report = await smokeAgainst(api.url);

      expect(report.checks.map((c) => [c.check, c.ok])).toEqual([
        ['POST /orders', true],
        ['order reaches a terminal state', true],
        ['mapping billing-fn <- order_cancellations', true],
        ['mapping billing-fn <- orders', true],
        ['mapping shipping-fn <- payments', true],
      ]);
      expect(report).toMatchObject({ ok: true, orderId: 'o-1' });
      expect(report.checks[1]!.detail).toMatch(/^SHIPPED after/);
      // Only the stack's own functions are listed, never the whole account.
      expect(lambdaMock.commandCalls(ListEventSourceMappingsCommand).map((c) => c.args[0].input.FunctionName)).toEqual([
        'billing-fn',
        'billing-fn',
        'shipping-fn',
      ]);
      for (const request of api.requests) {
        expect(request.headers.authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDSMOKE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/,
        );
      }
      expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'POST /orders',
        'GET /orders/o-1',
        'GET /orders/o-1',
        'GET /orders/o-1',
      ]);
      expect(JSON.parse(api.requests[0]!.body)).toMatchObject({
        items: [{ product_id: 'abc', quantity: 1 }],
        currency: 'USD',
      });
    } finally {
      await api.stop();
    }
  });

  it('GIVEN a disabled mapping and one whose last batch failed WHEN smoke-tested THEN both fail the run with what Lambda said', async () => {
    lambdaMock
      .on(ListEventSourceMappingsCommand, { FunctionName: 'billing-fn' })
      .resolves({
        EventSourceMappings: [
          mapping('u1', 'billing-fn', 'orders', { State: 'Disabled', StateTransitionReason: 'USER_INITIATED' }),
        ],
      })
      .on(ListEventSourceMappingsCommand, { FunctionName: 'shipping-fn' })
      .resolves({
        EventSourceMappings: [
          mapping('u3', 'shipping-fn', 'payments', { LastProcessingResult: 'PROBLEM: Function call failed' }),
        ],
      });
    const api = await startOrderApiStub();
    try {
      const report = await smokeAgainst(api.url);
      expect(report.ok).toBe(false);
      expect(report.checks.filter((c) => !c.ok)).toEqual([
        { check: 'mapping billing-fn <- orders', ok: false, detail: 'Disabled; OK' },
        { check: 'mapping shipping-fn <- payments', ok: false, detail: 'Enabled; PROBLEM: Function call failed' },
      ]);
    } finally {
      await api.stop();
    }
  });

  it('GIVEN a stack without outputs WHEN read THEN it says the stage is not deployed; an outputs file names its stacks', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await expect(
      awsSmokeTarget({
        label: 'prod',
        stackName: 'OrderPipeline-Prod-Services',
        cloudFormation: new CloudFormationClient({ region: 'eu-west-1', credentials }),
        lambda: new LambdaClient({ region: 'eu-west-1', credentials }),
      }),
    ).rejects.toThrow(/No ApiUrl output in stack OrderPipeline-Prod-Services: is the stage deployed\?/);
    expect(() => outputsFromFile({ 'OrderPipeline-Dev-Data': {} }, 'OrderPipeline-Dev-Services')).toThrow(
      /has no stack OrderPipeline-Dev-Services \(it has OrderPipeline-Dev-Data\)/,
    );
    expect(
      outputsFromFile(
        { 'OrderPipeline-Dev-Services': { ApiUrl: 'https://x/', OrderApiFunctionName: 'f' } },
        'OrderPipeline-Dev-Services',
      ),
    ).toEqual({ apiUrl: 'https://x/', functionNames: ['f'] });
  });

  it('GIVEN an order that never finishes WHEN smoke-tested THEN the run fails saying where it stopped', async () => {
    lambdaMock.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    const api = await startOrderApiStub({ pendingPolls: 1_000_000 });
    try {
      const report = await smokeAgainst(api.url, 300);
      expect(report.checks.filter((c) => !c.ok).map((c) => [c.check, c.detail])).toEqual([
        ['order reaches a terminal state', 'still PENDING after 0.3 s'],
        ['event source mappings', 'none found'],
      ]);
    } finally {
      await api.stop();
    }
  });
});
