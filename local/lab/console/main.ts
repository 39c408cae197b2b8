import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../cli';
import { parseConsoleArgs, USAGE, type ConsoleCommand } from './args';
import { resolveCluster } from './connection';
import { consume } from './consume';
import { describeGroups, formatGroups } from './groups';
import { produce } from './produce';
import { describeTopics, formatTopics } from './topics';

export interface ConsoleIo {
  readonly stdin: Readable;
  /** Records and tables: what a pipe receives. */
  readonly stdout: Writable;
  /** Progress, summaries and errors. */
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
  /** Ctrl+C: a following consume stops and commits what it printed. */
  readonly signal?: AbortSignal;
}

/** `npm run kafka -- <command>`: returns the exit code (0 done, 1 failed, 2 usage error). */
export async function runConsole(argv: readonly string[], io: ConsoleIo): Promise<number> {
  let command: ConsoleCommand;
  try {
    command = parseConsoleArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${error.message}\n\nRun \`npm run kafka -- --help\` for the commands and options.\n`);
    return 2;
  }
  if (command.name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const say = (line: string) => io.stderr.write(`${line}\n`);
  try {
    const cluster = resolveCluster(command.cluster);
    switch (command.name) {
      case 'topics': {
        const topics = await describeTopics(cluster);
        io.stdout.write(command.json ? `${JSON.stringify(topics)}\n` : formatTopics(topics));
        return 0;
      }
      case 'groups': {
        const groups = await describeGroups(cluster);
        io.stdout.write(command.json ? `${JSON.stringify(groups)}\n` : formatGroups(groups));
        return 0;
      }
      case 'produce': {
        if (command.source.kind === 'stdin' && io.stdin === process.stdin && process.stdin.isTTY) {
          say(`Type one JSON value per line (or key<TAB>value); Ctrl+D sends the rest and exits.`);
        }
        const result = await produce(cluster, command, io);
        const spread = result.perPartition.map((n, p) => `${p}:${n}`).join(' ');
        say(
          `Produced ${result.records} records to ${command.topic} on ${cluster.description} in ` +
            `${(result.durationMs / 1000).toFixed(1)} s (per partition ${spread})`,
        );
        return 0;
      }
      case 'consume': {
        const { records, nothingToRead } = await consume(cluster, command, io);
        say(`${records} records read from ${command.topic}`);
        if (nothingToRead) {
          const from = command.group ? `group ${command.group}'s committed offsets` : 'the start';
          say(`Nothing to read from ${from} to the end: add --follow to wait for new records, or --from-beginning.`);
        }
        return 0;
      }
    }
  } catch (error) {
    say(`npm run kafka -- ${command.name}: ${describeError(error)}`);
    return 1;
  }
}

/**
 * The message of a failure with its root causes: the Kafka client nests them (a failed listing
 * holds failed retries holding refused connections). A programming error keeps its stack.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof TypeError || error instanceof RangeError) return error.stack ?? error.message;
  const roots = new Set<string>();
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error)) return;
    const children = [...((e as { errors?: unknown[] }).errors ?? []), ...(e.cause === undefined ? [] : [e.cause])];
    if (children.length === 0 || depth >= 8) roots.add(e.message);
    else for (const child of children) walk(child, depth + 1);
  };
  walk(error, 0);
  roots.delete(error.message);
  return roots.size ? `${error.message} (${[...roots].join('; ')})` : error.message;
}
