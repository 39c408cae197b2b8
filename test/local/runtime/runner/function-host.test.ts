import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionSpec } from '../../../../local/runtime/runner/assembly';
import { FunctionHost } from '../../../../local/runtime/runner/function-host';

const BUNDLE = join(__dirname, '..', '..', '..', 'support', 'fixtures', 'runner-assembly', 'asset.fixture');

const spec = (overrides: Partial<FunctionSpec> = {}): FunctionSpec => ({
  id: 'billing',
  logicalId: 'BillingFunctionEC8E7E61',
  stack: 'Services',
  functionName: 'Services-BillingFunctionEC8E7E61',
  bundleDir: BUNDLE,
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  timeoutSeconds: 5,
  memorySizeMb: 128,
  environment: {},
  ...overrides,
});

const hosts: FunctionHost[] = [];
function host(
  overrides: Partial<FunctionSpec> = {},
  maxEnvironments = 1,
  log: (line: string) => void = () => undefined,
  initTimeoutMs?: number,
) {
  const fn = spec(overrides);
  const created = new FunctionHost({
    spec: fn,
    env: { LAMBDA_TASK_ROOT: fn.bundleDir, _HANDLER: fn.handler, MARKER: 'from-template' },
    functionArn: `arn:aws:lambda:eu-west-1:000000000000:function:${fn.functionName}`,
    maxEnvironments,
    log,
    initTimeoutMs,
  });
  hosts.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

interface Echo {
  invocations: number;
  pid: number;
  requestId: string;
  functionName: string;
  remainingMs: number;
  env: Record<string, string>;
  event: unknown;
}

describe('FunctionHost', () => {
  it('GIVEN an event over the 6 MB synchronous payload limit WHEN invoked THEN Lambda refuses it before any environment starts', async () => {
    const h = host();
    const result = await h.invoke({ action: 'echo', blob: 'x'.repeat(6 * 1024 * 1024) });

    expect(result.error?.errorType).toBe('RequestEntityTooLargeException');
    expect(result.error?.errorMessage).toMatch(
      /function billing: request payload of \d+ bytes exceeds the 6291456 bytes/,
    );
    expect(h.environments).toBe(0);
  });

  it('GIVEN a bundle WHEN invoked THEN the handler gets the event, a Lambda context and only the given environment', async () => {
    const result = await host().invoke({ action: 'echo', n: 1 });

    const echo = result.result as Echo;
    expect(result.error).toBeUndefined();
    expect(echo.event).toEqual({ action: 'echo', n: 1 });
    expect(echo.requestId).toBe(result.requestId);
    expect(echo.functionName).toBe('Services-BillingFunctionEC8E7E61');
    expect(echo.remainingMs).toBeGreaterThan(3_000);
    expect(echo.remainingMs).toBeLessThanOrEqual(5_000);
    expect(echo.env.MARKER).toBe('from-template');
    expect(echo.env.HOME).toBeUndefined();
    expect(result.initDurationMs).toBeGreaterThan(0);
  });

  it('GIVEN a warm environment WHEN invoked again THEN the same process and module state serve it, without init', async () => {
    const fn = host();

    const first = (await fn.invoke({ action: 'echo' })).result as Echo;
    const second = await fn.invoke({ action: 'echo' });

    expect((second.result as Echo).pid).toBe(first.pid);
    expect((second.result as Echo).invocations).toBe(first.invocations + 1);
    expect(second.initDurationMs).toBeUndefined();
    expect(fn.environments).toBe(1);
  });

  it('GIVEN a handler that logs WHEN invoked THEN its stdout and stderr come back between START and REPORT lines', async () => {
    const forwarded: string[] = [];
    const result = await host({}, 1, (line) => forwarded.push(line)).invoke({ action: 'log', n: 7 });

    const lines = result.logs.trimEnd().split('\n');
    expect(lines[0]).toBe(`START RequestId: ${result.requestId} Version: $LATEST`);
    expect(lines).toContain(JSON.stringify({ level: 'INFO', message: 'to stdout', n: 7 }));
    expect(lines).toContain('to stderr');
    expect(lines.at(-2)).toBe(`END RequestId: ${result.requestId}`);
    expect(lines.at(-1)).toMatch(
      /^REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/,
    );
    expect(forwarded).toEqual([]);
  });

  it('GIVEN forwarded logs WHEN invoked THEN each line also goes to the log, prefixed with the function id', async () => {
    const forwarded: string[] = [];

    await host({}, 1, (line) => forwarded.push(line)).invoke({ action: 'log', n: 1 }, { forwardLogs: true });

    expect(forwarded).toContain('[billing] to stderr');
  });

  it('GIVEN a handler that throws WHEN invoked THEN the error type and message come back and the environment stays warm', async () => {
    const fn = host();

    const failed = await fn.invoke({ action: 'throw' });
    const next = await fn.invoke({ action: 'echo' });

    expect(failed.error).toEqual({ errorType: 'TypeError', errorMessage: 'boom' });
    expect(failed.logs).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"boom"/);
    expect((next.result as Echo).invocations).toBe(2);
  });

  it('GIVEN an invocation longer than the timeout WHEN invoked THEN it fails as timed out and the next one gets a fresh environment', async () => {
    const fn = host({ timeoutSeconds: 1 });
    const before = (await fn.invoke({ action: 'echo' })).result as Echo;

    const timedOut = await fn.invoke({ action: 'sleep', ms: 10_000 });
    const after = await fn.invoke({ action: 'echo' });

    expect(timedOut.error).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
    });
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(timedOut.durationMs).toBeLessThan(5_000);
    expect((after.result as Echo).pid).not.toBe(before.pid);
    expect(after.initDurationMs).toBeGreaterThan(0);
  });

  it('GIVEN a handler that exits the process WHEN invoked THEN the invocation fails with Runtime.ExitError', async () => {
    const fn = host();

    const result = await fn.invoke({ action: 'exit' });
    const next = await fn.invoke({ action: 'echo' });

    expect(result.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect(next.error).toBeUndefined();
  });

  it('GIVEN overlapping invocations and room for two environments WHEN invoked THEN two environments serve them', async () => {
    const fn = host({}, 2);

    const results = await Promise.all([
      fn.invoke({ action: 'sleep', ms: 300 }),
      fn.invoke({ action: 'sleep', ms: 300 }),
    ]);

    expect(results.map((r) => r.result)).toEqual(['slept', 'slept']);
    expect(fn.environments).toBe(2);
  });

  it('GIVEN overlapping invocations and one environment WHEN invoked THEN they run one after the other', async () => {
    const fn = host({}, 1);
    const started = Date.now();

    await Promise.all([fn.invoke({ action: 'sleep', ms: 300 }), fn.invoke({ action: 'sleep', ms: 300 })]);

    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(fn.environments).toBe(1);
  });

  describe('init failures', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'function-host-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const writeBundle = (source: string) => writeFileSync(join(dir, 'index.js'), source);

    it('GIVEN a bundle whose module throws at load WHEN invoked THEN the init error comes back with its logs', async () => {
      writeBundle("throw new Error('Missing required environment variable PAYMENTS_TABLE');");

      const { error, logs } = await host({ bundleDir: dir }).invoke({});

      expect(error).toEqual({
        errorType: 'Error',
        errorMessage: 'Missing required environment variable PAYMENTS_TABLE',
      });
      expect(logs).toMatch(/Uncaught Exception/);
      expect(logs).toMatch(/INIT_REPORT Phase: init Status: error/);
    });

    const slowInit = (ms: number) =>
      writeBundle(
        `const until = Date.now() + ${ms}; while (Date.now() < until); exports.handler = async () => 'ready';`,
      );

    it('GIVEN an init longer than the init limit but shorter than the function timeout WHEN invoked THEN init is retried with the function timeout and the invocation succeeds', async () => {
      slowInit(1_500);
      const logged: string[] = [];

      const result = await host({ bundleDir: dir, timeoutSeconds: 5 }, 1, (line) => logged.push(line), 500).invoke({});

      expect(result.result).toBe('ready');
      expect(logged.join('\n')).toMatch(/Init phase timed out after 0.5 seconds; retrying with the function timeout/);
    });

    it('GIVEN an init longer than the function timeout too WHEN invoked THEN it fails with Sandbox.Timedout', async () => {
      slowInit(3_000);

      const result = await host({ bundleDir: dir, timeoutSeconds: 1 }, 1, () => undefined, 300).invoke({});

      expect(result.error).toEqual({
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Init phase timed out after 1 seconds',
      });
    });

    it('GIVEN a handler name the bundle does not export WHEN invoked THEN it fails with Runtime.HandlerNotFound', async () => {
      writeBundle('exports.other = async () => 1;');

      const { error } = await host({ bundleDir: dir }).invoke({});

      expect(error).toEqual({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.handler is undefined or not exported',
      });
    });
  });
});
