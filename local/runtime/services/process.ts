import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

/**
 * Child processes of the local runtime (the Kafka broker, DynamoDB Local, the S3 stand-in), started
 * so that none outlives the process that started it:
 * - each runs in its own process group, and stop() signals the whole group (a JVM's or a shell's
 *   children go with it): SIGTERM, then SIGKILL after a grace period;
 * - on Linux each is started through `setpriv --pdeathsig KILL`, so the kernel kills it if its parent
 *   dies without cleaning up (kill -9, a crashed jest worker);
 * - an `exit` hook SIGKILLs whatever is still running when the parent exits normally.
 * Signal handling (Ctrl+C) belongs to the command that owns the run: it calls stop() and exits.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited, with its exit code or signal. */
  readonly exited: Promise<ProcessExit>;
  /** Stops the process group: SIGTERM, then SIGKILL after `graceMs`. Safe to call more than once. */
  stop(graceMs?: number): Promise<ProcessExit>;
  /** Sends a signal to the whole process group at once (SIGKILL: a crash, for fault tests). */
  kill(signal: NodeJS.Signals): void;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export function startProcess(options: StartProcessOptions): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const [command, args] = withParentDeathSignal(options.command, options.args);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const pid = child.pid ?? -1;
  running.add(child);
  installExitHook();

  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    // A command that cannot be run at all (not installed) never emits 'exit'.
    child.once('error', (error) => {
      running.delete(child);
      appendFileSync(options.logFile, `\n${options.name}: ${error.message}\n`);
      resolve({ code: -1, signal: null });
    });
  });
  let stopping: Promise<ProcessExit> | undefined;

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    kill(signal) {
      signalGroup(pid, signal);
    },
    stop(graceMs = 5_000) {
      stopping ??= (async () => {
        if (pid < 0 || child.exitCode !== null || child.signalCode !== null) return exited;
        signalGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
        const exit = await exited;
        clearTimeout(timer);
        // The leader is gone; make sure nothing else of its group is left behind.
        signalGroup(pid, 'SIGKILL');
        return exit;
      })();
      return stopping;
    },
  };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  });
}

let setprivAvailable: boolean | undefined;

/** `setpriv --pdeathsig KILL` (util-linux) execs the command with the parent-death signal set. */
function withParentDeathSignal(command: string, args: readonly string[]): [string, string[]] {
  if (process.platform !== 'linux') return [command, [...args]];
  setprivAvailable ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable ? ['setpriv', ['--pdeathsig', 'KILL', command, ...args]] : [command, [...args]];
}

/** A TCP port that is free on 127.0.0.1 at the time of the call. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Polls `check` until it returns true (or a value), the timeout passes, or the process exits; the
 * error then carries the end of the process's log, which is where the reason is.
 */
export async function waitUntilReady(
  child: ManagedProcess,
  description: string,
  check: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 200 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: ProcessExit | undefined;
  void child.exited.then((e) => (exit = e));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exit) {
      throw new Error(
        `${child.name} exited (code ${exit.code}, signal ${exit.signal}) before ${description}; ` +
          `log ${child.logFile}:\n${tail(child.logFile)}`,
      );
    }
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  // A process that never became ready is of no use to anyone: stop it before reporting.
  await child.stop(1_000);
  throw new Error(
    `${child.name}: not ${description} after ${timeoutMs} ms (last error: ${String(lastError)}); ` +
      `log ${child.logFile}:\n${tail(child.logFile)}`,
  );
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
