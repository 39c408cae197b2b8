import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FunctionSpec } from './assembly';

/**
 * Local Lambda execution environments for one function: Node processes that load the function's
 * bundle once and run one invocation at a time, kept warm and reused, like Lambda's. A pool grows
 * up to `maxEnvironments` when invocations overlap. An invocation that outlives the function's
 * Timeout kills its environment (the invocation fails with Sandbox.Timedout) and the next one starts
 * a fresh environment, as Lambda does.
 */
export interface InvokeResult {
  readonly requestId: string;
  /** The handler's return value (JSON round-tripped, as Lambda returns it); absent on error. */
  readonly result?: unknown;
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
  /** What the invocation wrote to stdout and stderr, between Lambda-style START and REPORT lines. */
  readonly logs: string;
  readonly durationMs: number;
  /** Set when the invocation started a new environment (a cold start). */
  readonly initDurationMs?: number;
}

export interface FunctionHostOptions {
  readonly spec: FunctionSpec;
  readonly env: Readonly<Record<string, string>>;
  readonly functionArn: string;
  readonly maxEnvironments: number;
  /** Receives log lines written outside invocations that capture their logs. */
  readonly log: (line: string) => void;
  /** Lambda's limit on the init phase. */
  readonly initTimeoutMs?: number;
}

/** Marks the end of an invocation's output on stdout and stderr (see host/runtime.js). */
const END_MARK = '\u0000lambda-local-end:';
const RUNTIME = join(__dirname, 'host', 'runtime.js');
const INIT_TIMEOUT_MS = 10_000;
const INIT_TIMEOUT_ERROR = 'Sandbox.Timedout';
/**
 * "For synchronous invocations, the maximum payload size is 6 MB"
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html): a larger event is refused before
 * any environment sees it. (Kafka and DynamoDB stream batches are capped at 6 MB by kafka-event.ts
 * and dynamodb-stream-poller.ts, responses by host/runtime.js.)
 */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

export class FunctionHost {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();
  private readonly waiting: (() => void)[] = [];
  private starting = 0;
  private stopped = false;

  constructor(private readonly options: FunctionHostOptions) {}

  /** Environments alive now. */
  get environments(): number {
    return this.all.size;
  }

  /**
   * Invokes the function once. With `forwardLogs`, the invocation's output also goes to the host's
   * log as it is written (the event source mappings' invocations); either way it is returned.
   */
  async invoke(event: unknown, opts: { forwardLogs?: boolean } = {}): Promise<InvokeResult> {
    const requestId = randomUUID();
    const payloadBytes = Buffer.byteLength(JSON.stringify(event ?? null));
    if (payloadBytes > MAX_INVOKE_PAYLOAD_BYTES) {
      const errorMessage =
        `function ${this.options.spec.id}: request payload of ${payloadBytes} bytes exceeds the ` +
        `${MAX_INVOKE_PAYLOAD_BYTES} bytes Lambda accepts for a synchronous invocation`;
      return {
        requestId,
        error: { errorType: 'RequestEntityTooLargeException', errorMessage },
        logs: '',
        durationMs: 0,
      };
    }
    const acquired = await this.acquire();
    if ('initError' in acquired) {
      return {
        requestId,
        error: acquired.initError,
        logs: `${acquired.logs}INIT_REPORT Phase: init Status: error Error Type: ${acquired.initError.errorType}\n`,
        durationMs: 0,
      };
    }
    try {
      return await acquired.env.invoke(requestId, event, opts.forwardLogs ?? false, acquired.initDurationMs);
    } finally {
      this.release(acquired.env);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake(Infinity);
    await Promise.all([...this.all].map((env) => env.kill()));
    this.all.clear();
    this.idle.length = 0;
  }

  /** An idle environment, else a new one if the pool has room, else the next one released. */
  private async acquire(): Promise<
    | { env: Environment; initDurationMs?: number }
    | { initError: { errorType: string; errorMessage: string }; logs: string }
  > {
    for (;;) {
      if (this.stopped) throw new Error(`function ${this.options.spec.id}: the runner is stopped`);
      const idle = this.idle.pop();
      if (idle) return { env: idle };
      if (this.all.size + this.starting < this.options.maxEnvironments) {
        this.starting += 1;
        try {
          let started = await Environment.start(this.options);
          // "If all three tasks do not complete within 10 seconds, Lambda retries the Init phase at
          // the time of the first function invocation with the configured function timeout."
          // (Lambda developer guide, "Understanding the Lambda execution environment lifecycle")
          if ('initError' in started && started.initError.errorType === INIT_TIMEOUT_ERROR) {
            this.options.log(
              `${this.options.spec.id}: ${started.initError.errorMessage}; retrying with the function timeout`,
            );
            started = await Environment.start({
              ...this.options,
              initTimeoutMs: this.options.spec.timeoutSeconds * 1000,
            });
          }
          if ('initError' in started) return started;
          if (this.stopped) {
            await started.env.kill();
            continue;
          }
          this.all.add(started.env);
          started.env.onExit(() => this.forget(started.env));
          return started;
        } finally {
          this.starting -= 1;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(env: Environment): void {
    if (env.alive && !this.stopped) this.idle.push(env);
    this.wake(1);
  }

  private forget(env: Environment): void {
    this.all.delete(env);
    const index = this.idle.indexOf(env);
    if (index >= 0) this.idle.splice(index, 1);
    this.wake(1);
  }

  private wake(count: number): void {
    for (const waiter of this.waiting.splice(0, count)) waiter();
  }
}

type RuntimeMessage =
  | { type: 'ready'; initDurationMs: number }
  | { type: 'init-error'; errorType: string; errorMessage: string }
  | { type: 'result'; requestId: string; payload: string; durationMs: number; maxRssMb: number }
  | { type: 'error'; requestId: string; errorType: string; errorMessage: string; durationMs: number; maxRssMb: number };

interface Running {
  readonly requestId: string;
  readonly forward: boolean;
  readonly lines: string[];
  ended: { stdout: boolean; stderr: boolean };
  message?: Extract<RuntimeMessage, { type: 'result' | 'error' }>;
  settle(): void;
}

/** One execution environment: a Node process running host/runtime.js. */
class Environment {
  private running?: Running;
  private readonly exitListeners: (() => void)[] = [];
  private exited = false;
  private readonly partial = { stdout: '', stderr: '' };

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: FunctionHostOptions,
  ) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onOutput('stdout', chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => this.onOutput('stderr', chunk));
    child.on('message', (message: RuntimeMessage) => {
      if ((message.type === 'result' || message.type === 'error') && this.running?.requestId === message.requestId) {
        this.running.message = message;
        this.running.settle();
      }
    });
    // A send to a process that just died fails with EPIPE: its 'exit' settles the invocation.
    child.on('error', (error) => options.log(`[${options.spec.id}] execution environment: ${error.message}`));
    child.once('exit', () => {
      this.exited = true;
      this.running?.settle();
      for (const listener of this.exitListeners) listener();
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  static async start(
    options: FunctionHostOptions,
  ): Promise<
    | { env: Environment; initDurationMs: number }
    | { env: Environment; initError: { errorType: string; errorMessage: string }; logs: string }
  > {
    const { spec } = options;
    // Lambda's Node.js runtime sizes the heap from the function's memory.
    const heapMb = Math.max(64, Math.floor(spec.memorySizeMb * 0.9));
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, RUNTIME], {
      cwd: spec.bundleDir,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const env = new Environment(child, options);
    const initLines: string[] = [];
    env.running = {
      requestId: 'init',
      forward: true,
      lines: initLines,
      ended: { stdout: true, stderr: true },
      settle: () => undefined,
    };
    const first = await new Promise<RuntimeMessage | { type: 'exit' } | { type: 'timeout' }>((resolve) => {
      const timer = setTimeout(() => resolve({ type: 'timeout' }), options.initTimeoutMs ?? INIT_TIMEOUT_MS);
      child.once('message', (message: RuntimeMessage) => {
        clearTimeout(timer);
        resolve(message);
      });
      env.onExit(() => {
        clearTimeout(timer);
        resolve({ type: 'exit' });
      });
    });
    env.running = undefined;
    if (first.type === 'ready') return { env, initDurationMs: first.initDurationMs };
    await env.kill();
    const logs = initLines.map((l) => `${l}\n`).join('');
    if (first.type === 'init-error') {
      return { env, initError: { errorType: first.errorType, errorMessage: first.errorMessage }, logs };
    }
    const initError =
      first.type === 'timeout'
        ? {
            errorType: INIT_TIMEOUT_ERROR,
            errorMessage: `Init phase timed out after ${(options.initTimeoutMs ?? INIT_TIMEOUT_MS) / 1000} seconds`,
          }
        : { errorType: 'Runtime.ExitError', errorMessage: `Runtime exited during init with ${describeExit(child)}` };
    return { env, initError, logs };
  }

  onExit(listener: () => void): void {
    if (this.exited) listener();
    else this.exitListeners.push(listener);
  }

  invoke(requestId: string, event: unknown, forward: boolean, initDurationMs?: number): Promise<InvokeResult> {
    const { spec } = this.options;
    const started = performance.now();
    const timeoutMs = spec.timeoutSeconds * 1000;
    const lines: string[] = [];
    return new Promise<InvokeResult>((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        // As in Lambda, a timed-out invocation takes its environment down with it.
        void this.kill();
      }, timeoutMs);
      const running: Running = {
        requestId,
        forward,
        lines,
        ended: { stdout: false, stderr: false },
        settle: () => {
          const done = this.exited || (running.message && running.ended.stdout && running.ended.stderr);
          if (!done) return;
          clearTimeout(timer);
          this.running = undefined;
          const durationMs = running.message?.durationMs ?? performance.now() - started;
          const base = { requestId, durationMs, initDurationMs };
          const logs = (extra: string[]) =>
            [`START RequestId: ${requestId} Version: $LATEST`, ...lines, ...extra, `END RequestId: ${requestId}`]
              .concat(report(requestId, durationMs, spec.memorySizeMb, running.message?.maxRssMb, initDurationMs))
              .map((l) => `${l}\n`)
              .join('');
          if (timedOut) {
            const seconds = (timeoutMs / 1000).toFixed(2);
            const message = `Task timed out after ${seconds} seconds`;
            resolve({
              ...base,
              error: { errorType: 'Sandbox.Timedout', errorMessage: message },
              logs: logs([`${new Date().toISOString()} ${requestId} ${message}`]),
            });
          } else if (!running.message) {
            const message = `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(this.child)}`;
            resolve({
              ...base,
              error: { errorType: 'Runtime.ExitError', errorMessage: message },
              logs: logs([message]),
            });
          } else if (running.message.type === 'error') {
            const { errorType, errorMessage } = running.message;
            resolve({ ...base, error: { errorType, errorMessage }, logs: logs([]) });
          } else {
            resolve({ ...base, result: JSON.parse(running.message.payload) as unknown, logs: logs([]) });
          }
        },
      };
      this.running = running;
      this.child.send(
        {
          type: 'invoke',
          requestId,
          event,
          deadlineMs: Date.now() + timeoutMs,
          functionName: spec.functionName,
          memorySizeMb: spec.memorySizeMb,
          invokedFunctionArn: this.options.functionArn,
        },
        // The environment died before it got the event (its 'exit' settles the invocation).
        (error) => {
          if (error) void this.kill();
        },
      );
    });
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.onExit(resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  private onOutput(stream: 'stdout' | 'stderr', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const line of lines) {
      const running = this.running;
      if (line.startsWith(END_MARK)) {
        if (running && line.slice(END_MARK.length) === running.requestId) {
          running.ended[stream] = true;
          running.settle();
        }
        continue;
      }
      if (running) running.lines.push(line);
      if (!running || running.forward) this.options.log(`[${this.options.spec.id}] ${line}`);
    }
  }
}

function report(
  requestId: string,
  durationMs: number,
  memorySizeMb: number,
  maxRssMb: number | undefined,
  initDurationMs: number | undefined,
): string {
  return [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.ceil(durationMs)} ms`,
    `Memory Size: ${memorySizeMb} MB`,
    `Max Memory Used: ${maxRssMb ?? '-'} MB`,
    ...(initDurationMs === undefined ? [] : [`Init Duration: ${initDurationMs.toFixed(2)} ms`]),
  ].join('\t');
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit status ${child.exitCode ?? 'unknown'}`;
}
