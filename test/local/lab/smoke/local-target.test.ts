import type { LocalEndpointsFile } from '../../../../local/lab/console/endpoints';
import { lastProcessingResult, type MappingStats } from '../../../../local/runtime/runner/kafka-poller';
import type { KafkaMappingSpec } from '../../../../local/runtime/runner/assembly';
import {
  disabledMappingView,
  lambdaMappingView,
  startLocalLambdaApi,
  type LocalMappingView,
} from '../../../../local/runtime/runner/lambda-api';
import { localSmokeTarget } from '../../../../local/lab/smoke/local-target';
import { formatSmokeReport, runSmoke } from '../../../../local/lab/smoke/smoke';
import { startOrderApiStub } from './support';

const stats = (overrides: Partial<MappingStats>): MappingStats => ({
  id: 'BillingOrders',
  kind: 'kafka',
  functionId: 'billing',
  topic: 'orders',
  groupId: 'billing.orders',
  committedOffsets: 1,
  invocations: 1,
  deadLettered: 0,
  filteredOut: 0,
  pending: 0,
  busyMs: 5,
  state: 'Enabled',
  lastProcessingResult: 'OK',
  ...overrides,
});
const arn = (name: string) => `arn:aws:lambda:eu-west-1:000000000000:function:${name}`;

describe('the local runner as the Lambda API reports mappings', () => {
  it('GIVEN invocation outcomes WHEN reported THEN no invocation, success and failure read as Lambda words them', () => {
    expect(lastProcessingResult(undefined)).toBe('No records processed');
    expect(lastProcessingResult({ ok: true })).toBe('OK');
    expect(lastProcessingResult({ ok: false, errorType: 'TimeoutError' })).toBe(
      'PROBLEM: Function call failed (TimeoutError)',
    );
  });

  it('GIVEN a Kafka and a stream mapping WHEN viewed through the Lambda API THEN the topic or the stream is the source', () => {
    expect(lambdaMappingView(stats({}), arn('billing'))).toEqual({
      UUID: 'BillingOrders',
      FunctionArn: arn('billing'),
      Topics: ['orders'],
      State: 'Enabled',
      LastProcessingResult: 'OK',
    });
    expect(
      lambdaMappingView(stats({ id: 'OutboxRelay', kind: 'dynamodb', topic: 'dynamodb-stream:outbox' }), arn('relay')),
    ).toMatchObject({ UUID: 'OutboxRelay', EventSourceArn: 'dynamodb-stream:outbox' });
  });
});

describe('npm run smoke -- --local', () => {
  async function smokeLocal(mappings: LocalMappingView[]) {
    const lambdaApi = await startLocalLambdaApi({ mappings: () => mappings });
    const api = await startOrderApiStub();
    const endpoints: LocalEndpointsFile = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      orderApi: api.url,
      kafkaBootstrap: '127.0.0.1:1',
      dynamodb: 'http://127.0.0.1:1',
      s3: 'http://127.0.0.1:1',
      region: 'eu-west-1',
      lambdaApi: lambdaApi.url,
      runDir: '/tmp',
    };
    const local = localSmokeTarget(endpoints);
    try {
      return await runSmoke(local.target, { productId: 'abc', currency: 'USD', timeoutMs: 5_000, pollMs: 1 });
    } finally {
      await local.stop();
      await api.stop();
      await lambdaApi.stop();
    }
  }

  it('GIVEN a running local cloud whose mappings are healthy WHEN smoke-tested THEN the same LambdaClient calls as in AWS read them and every check passes', async () => {
    const report = await smokeLocal([
      lambdaMappingView(stats({}), arn('billing')),
      lambdaMappingView(
        stats({
          id: 'OutboxRelay',
          kind: 'dynamodb',
          topic: 'dynamodb-stream:outbox',
          lastProcessingResult: 'No records processed',
        }),
        arn('relay'),
      ),
    ]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.check)).toEqual([
      'POST /orders',
      'order reaches a terminal state',
      'mapping billing <- orders',
      'mapping relay <- dynamodb-stream:outbox',
    ]);
    expect(formatSmokeReport(report)).toMatch(
      /mapping billing <- orders\s+ok\s+Enabled; OK\n[\s\S]*All 4 checks passed\./,
    );
  });

  it('GIVEN a mapping whose last invocation failed WHEN smoke-tested THEN the run fails on that mapping', async () => {
    const report = await smokeLocal([
      lambdaMappingView(
        stats({ lastProcessingResult: lastProcessingResult({ ok: false, errorType: 'Error' }) }),
        arn('billing'),
      ),
    ]);
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      { check: 'mapping billing <- orders', ok: false, detail: 'Enabled; PROBLEM: Function call failed (Error)' },
    ]);
    expect(formatSmokeReport(report)).toMatch(/1 of 3 checks FAILED\./);
  });

  it('GIVEN a mapping the template declares disabled WHEN smoke-tested THEN the Lambda API lists it Disabled and the run fails on it, as in AWS', async () => {
    const archive = { id: 'ArchiveOrders', kind: 'kafka', functionId: 'archive', topic: 'orders' } as KafkaMappingSpec;

    const report = await smokeLocal([
      lambdaMappingView(stats({}), arn('billing')),
      disabledMappingView(archive, arn('archive')),
    ]);

    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      { check: 'mapping archive <- orders', ok: false, detail: 'Disabled; No records processed' },
    ]);
  });

  it('GIVEN an npm run local that serves no Lambda API WHEN smoke-tested THEN it says to restart it', () => {
    expect(() =>
      localSmokeTarget({
        pid: 1,
        startedAt: 'then',
        orderApi: 'http://127.0.0.1:1',
        kafkaBootstrap: '',
        dynamodb: '',
        s3: '',
        region: 'eu-west-1',
        runDir: '/tmp',
      }),
    ).toThrow(/does not serve the mappings' Lambda API: restart it/);
  });
});
