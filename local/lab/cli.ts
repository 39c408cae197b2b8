/**
 * What the local commands (`npm run local`, `npm run invoke`) share: `--help`, usage errors (exit
 * code 2), stopping every part a command started when it ends or on SIGINT, SIGTERM and SIGHUP
 * (a closed terminal), and the exit code. A command only parses its arguments and calls into local/.
 */

import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** Wrong arguments, from a command's parse: the message and the usage are printed, and the command exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * A command line parsed strictly (an unknown option is an error), positionals allowed: what every
 * lab command with arguments after its options does. A parse error is a UsageError.
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  return asUsageError(() => parseArgs({ args: [...argv], strict: true, allowPositionals: true, options }));
}

/** The options of a command that takes nothing else, parsed strictly; a parse error is a UsageError. */
export function parseOptionsOnly<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  return asUsageError(() => parseArgs({ args: [...argv], strict: true, options })).values;
}

// node:util's messages name the option ("Unknown option '--x'"): the usage error keeps them.
function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export interface Stoppable {
  stop(): Promise<void>;
}

export interface Command<T> {
  /** How the user calls it, for messages, e.g. `npm run local`. */
  readonly name: string;
  readonly usage: string;
  /** The options from the arguments (`--help` is handled before); any error it throws is a usage error. */
  parse(argv: readonly string[]): T;
  /** Runs the command and returns its exit code. What it starts goes into `parts`, stopped whatever happens. */
  run(options: T, parts: StartedParts): Promise<number>;
}

/** Progress and errors go to stderr, so stdout carries only the result. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The parts a command has started: stopped once, the last started first. */
export class StartedParts {
  private readonly parts: Stoppable[] = [];
  private stopping?: Promise<void>;

  add<T extends Stoppable>(part: T): T {
    this.parts.push(part);
    // Started while everything is being stopped (a signal during start-up): stop it too.
    if (this.stopping) void stopQuietly(part);
    return part;
  }

  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const part of [...this.parts].reverse()) await stopQuietly(part);
    })();
    return this.stopping;
  }
}

async function stopQuietly(part: Stoppable): Promise<void> {
  // One part failing to stop must not leave the others running.
  await part.stop().catch((error: unknown) => say(`Could not stop a part: ${(error as Error).message}`));
}

/** Runs a command as the process: parses, runs, stops what it started, exits with its code. */
export function runCommand<T>(command: Command<T>, argv: readonly string[] = process.argv.slice(2)): void {
  if (argv.includes('--help')) {
    say(command.usage);
    process.exit(0);
  }
  const parts = new StartedParts();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal exits at once; the components' process groups die with this process either
    // way (local/runtime/services/process.ts).
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`\n${signal}: stopping everything this command started...`);
    void parts.stopAll().finally(() => process.exit(130));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const main = async (): Promise<number> => {
    let options: T;
    try {
      options = command.parse(argv);
    } catch (error) {
      say(`${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    try {
      return await command.run(options, parts);
    } finally {
      if (!interrupted) await parts.stopAll();
    }
  };
  // Once interrupted, the signal handler exits when everything has stopped.
  main().then(
    (code) => {
      if (!interrupted) process.exit(code);
    },
    (error: unknown) => {
      if (interrupted) return;
      say(`${command.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}

/** A whole number option of at least `min`, or undefined when it was not given. */
export function wholeNumber(name: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number, got "${raw}"`);
  return n;
}

/** A `host:port` option (a Kafka broker), or undefined when it was not given. */
export function hostPort(name: string, raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^[^:\s]+:\d+$/.test(raw))
    throw new UsageError(`--${name} must be host:port, got "${raw}"`);
  return raw;
}
