import { ProduceAcks, Producer } from '@platformatic/kafka';
import { TOPICS } from '../../../lambdas/shared/contracts/topics';
import { parseCommandLine, UsageError } from '../cli';
import { clusterOptions, type ClusterOptions } from './args';
import type { Cluster } from './connection';
import {
  countDeadLetters,
  readDeadLetter,
  REDRIVEN_FROM_HEADER,
  redriveMark,
  selects,
  type DeadLetterCounts,
  type DeadLetterEntry,
  type Position,
  type Selection,
} from './dead-letters';
import { ProgressLine } from './progress';
import { readRanges, topicBounds, type RawMessage } from './topic-reader';

/** `npm run redrive`: list the dead letters, or re-publish the selected ones' original records to their source topics. */

export const REDRIVE_USAGE = `Usage: npm run redrive -- [--list | --dry-run] [selection] [cluster] [--json]

Without --list or --dry-run, re-publishes the original record of every selected dead letter to its
source topic and partition (read from the source topic by partition and offset, never from the dead
letter's copy), with the header ${REDRIVEN_FROM_HEADER}: a dead letter already re-driven is skipped.

  --list                       counts of the selected dead letters by consumer, source topic, reason and hour
  --dry-run                    what a re-drive would publish and skip, publishing nothing

Selection (all dead letters by default; the options combine)
  --consumer NAME              the function that gave up (e.g. billing)
  --source-topic TOPIC         the topic the original record is on
  --reason TEXT                the reason contains TEXT (case-insensitive)
  --since TIME                 dead letters written at or after TIME (ISO 8601, e.g. 2026-11-29T10:00Z)
  --topic TOPIC                the dead-letter topic (default: ${TOPICS.deadLetter.name})

Cluster (default: the local cloud a serving \`npm run local\` wrote to .local/endpoints.json)
  --bootstrap HOST:PORT[,...]  any cluster's bootstrap servers
  --iam                        MSK with IAM authentication and TLS; needs --bootstrap
  --region REGION              the cluster's region for --iam (default: AWS_REGION)

  --json                       the result as one JSON object on stdout
  --help                       this text

Exit codes: 0 done, 1 failed or an original record is gone (past the source topic's retention), 2 usage error.`;

export interface RedriveOptions {
  readonly mode: 'list' | 'dry-run' | 'redrive';
  readonly selection: Selection;
  readonly deadLetterTopic: string;
  readonly cluster: ClusterOptions;
  readonly json: boolean;
}

export function parseRedriveArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RedriveOptions {
  const { values, positionals } = parseCommandLine(argv, {
    list: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    consumer: { type: 'string' },
    'source-topic': { type: 'string' },
    reason: { type: 'string' },
    since: { type: 'string' },
    topic: { type: 'string', default: TOPICS.deadLetter.name },
    bootstrap: { type: 'string' },
    iam: { type: 'boolean' },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length) throw new UsageError(`npm run redrive takes no argument, got "${positionals.join(' ')}"`);
  if (values.list && values['dry-run']) throw new UsageError('--list and --dry-run are exclusive');
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since must be an ISO 8601 time, got "${values.since}"`);
  }
  return {
    mode: values.list ? 'list' : values['dry-run'] ? 'dry-run' : 'redrive',
    selection: { consumer: values.consumer, sourceTopic: values['source-topic'], reason: values.reason, since },
    deadLetterTopic: values.topic,
    cluster: clusterOptions(values, env),
    json: values.json,
  };
}

/** A source record as read back from its topic. */
export interface OriginalRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
}

export type RedriveAction = 'republish' | 'already-redriven' | 'missing';

export interface PlannedRecord {
  readonly source: Position;
  /** Every selected dead letter of this source record (a record can be dead-lettered more than once). */
  readonly deadLetters: readonly DeadLetterEntry[];
  readonly action: RedriveAction;
}

const positionKey = (p: Position) => `${p.topic}/${p.partition}/${p.offset}`;

/**
 * What to do with each selected source record: one publish per source record, however many of its
 * dead letters are selected; none when every one of them is already marked re-driven on the source
 * topic, or when the original is gone.
 */
export function planRedrive(
  selected: readonly DeadLetterEntry[],
  originals: ReadonlySet<string>,
  marks: ReadonlySet<string>,
): PlannedRecord[] {
  const bySource = new Map<string, DeadLetterEntry[]>();
  for (const entry of selected) {
    const key = positionKey(entry.source);
    bySource.set(key, [...(bySource.get(key) ?? []), entry]);
  }
  return [...bySource.values()].map((deadLetters) => {
    const source = deadLetters[0]!.source;
    const action: RedriveAction = deadLetters.every((e) => marks.has(redriveMark(e)))
      ? 'already-redriven'
      : originals.has(positionKey(source))
        ? 'republish'
        : 'missing';
    return { source, deadLetters, action };
  });
}

export interface RedriveResult {
  readonly deadLetterTopic: string;
  readonly mode: RedriveOptions['mode'];
  /** Every dead letter on the topic, and the selected ones' counts. */
  readonly listed: number;
  readonly unreadable: number;
  readonly selected: DeadLetterCounts;
  /** Source records: re-published (or, in a dry run, to be), already re-driven before, gone. */
  readonly republished: number;
  readonly alreadyRedriven: number;
  readonly missing: number;
  readonly records: readonly {
    readonly source: Position;
    readonly deadLetters: readonly string[];
    readonly consumer: string;
    readonly reason: string;
    readonly action: RedriveAction;
  }[];
}

const CLIENT_ID = 'redrive';

export async function redrive(
  cluster: Cluster,
  options: RedriveOptions,
  io: { readonly stderr: NodeJS.WriteStream },
): Promise<RedriveResult> {
  const say = (line: string) => io.stderr.write(`${line}\n`);
  const entries: DeadLetterEntry[] = [];
  let unreadable = 0;
  const dlBounds = await topicBounds(cluster, options.deadLetterTopic, CLIENT_ID);
  const all = new Map(dlBounds.latest.map((to, p) => [p, { from: dlBounds.earliest[p]!, to }]));
  await readRanges(
    cluster,
    options.deadLetterTopic,
    dlBounds,
    all,
    (message) => {
      const entry = readDeadLetter(options.deadLetterTopic, {
        partition: message.partition,
        offset: Number(message.offset),
        timestamp: Number(message.timestamp),
        value: message.value,
      });
      if ('unreadable' in entry) unreadable++;
      else entries.push(entry);
    },
    CLIENT_ID,
  );
  const selected = entries.filter((e) => selects(options.selection, e));
  say(
    `${entries.length} dead letters on ${options.deadLetterTopic} (${unreadable} unreadable), ${selected.length} selected`,
  );
  const base = {
    deadLetterTopic: options.deadLetterTopic,
    mode: options.mode,
    listed: entries.length,
    unreadable,
    selected: countDeadLetters(selected, unreadable),
  };
  if (options.mode === 'list') return { ...base, republished: 0, alreadyRedriven: 0, missing: 0, records: [] };

  // One pass per source topic, from the oldest selected record to the end: it finds the originals
  // and every re-driven record published since, whose header names the dead letters it re-drove.
  const originals = new Map<string, OriginalRecord>();
  const marks = new Set<string>();
  for (const [topic, topicEntries] of groupBy(selected, (e) => e.source.topic)) {
    const bounds = await topicBounds(cluster, topic, CLIENT_ID);
    const wanted = new Set(topicEntries.map((e) => positionKey(e.source)));
    const ranges = new Map<number, { from: number; to: number }>();
    for (const e of topicEntries) {
      const { partition, offset } = e.source;
      const from = Math.max(bounds.earliest[partition] ?? 0, Math.min(offset, ranges.get(partition)?.from ?? offset));
      ranges.set(partition, { from, to: bounds.latest[partition] ?? 0 });
    }
    say(`Reading ${topic} partitions ${[...ranges.keys()].sort((a, b) => a - b).join(', ')} for the originals`);
    await readRanges(
      cluster,
      topic,
      bounds,
      ranges,
      (message: RawMessage) => {
        const headers = message.headerEntries.map(([k, v]) => [k.toString('utf8'), v] as const);
        for (const [name, value] of headers) {
          if (name === REDRIVEN_FROM_HEADER) for (const mark of value.toString('utf8').split(',')) marks.add(mark);
        }
        const key = positionKey({ topic, partition: message.partition, offset: Number(message.offset) });
        if (wanted.has(key)) {
          originals.set(key, {
            key: message.key?.length ? message.key : null,
            value: message.value?.length ? message.value : null,
            headers: headers.filter(([name]) => name !== REDRIVEN_FROM_HEADER),
          });
        }
      },
      CLIENT_ID,
    );
  }

  const plan = planRedrive(selected, new Set(originals.keys()), marks);
  const toPublish = plan.filter((p) => p.action === 'republish');
  if (options.mode === 'redrive' && toPublish.length > 0) {
    await publish(cluster, toPublish, originals, io.stderr);
  }
  const count = (action: RedriveAction) => plan.filter((p) => p.action === action).length;
  return {
    ...base,
    republished: count('republish'),
    alreadyRedriven: count('already-redriven'),
    missing: count('missing'),
    records: plan.map((p) => ({
      source: p.source,
      deadLetters: p.deadLetters.map(redriveMark),
      consumer: p.deadLetters[0]!.consumer,
      reason: p.deadLetters[0]!.reason,
      action: p.action,
    })),
  };
}

/** Idempotent acks=all producer; each record goes back to its own partition, so its key's order holds. */
async function publish(
  cluster: Cluster,
  plan: readonly PlannedRecord[],
  originals: ReadonlyMap<string, OriginalRecord>,
  stderr: NodeJS.WriteStream,
): Promise<void> {
  const producer = new Producer({
    ...cluster.clientOptions(CLIENT_ID),
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  const progress = new ProgressLine(stderr);
  try {
    const BATCH = 100;
    for (let i = 0; i < plan.length; i += BATCH) {
      const batch = plan.slice(i, i + BATCH);
      await producer.send({
        messages: batch.map(({ source, deadLetters }) => {
          const original = originals.get(positionKey(source))!;
          const headers = new Map<Buffer, Buffer>(original.headers.map(([k, v]) => [Buffer.from(k), v]));
          headers.set(Buffer.from(REDRIVEN_FROM_HEADER), Buffer.from(deadLetters.map(redriveMark).join(',')));
          return {
            topic: source.topic,
            partition: source.partition,
            key: original.key ?? undefined,
            value: original.value ?? undefined,
            headers,
          };
        }),
      });
      progress.update({ records: Math.min(i + BATCH, plan.length) });
    }
  } finally {
    progress.finish();
    await producer.close();
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The result for a person. */
export function formatRedrive(result: RedriveResult): string {
  const lines: string[] = [];
  const verb = result.mode === 'dry-run' ? 'would re-publish' : 're-published';
  for (const r of result.records) {
    const where = `${r.source.topic}/${r.source.partition}@${r.source.offset}`;
    lines.push(`  ${r.action.padEnd(16)}  ${where}  ${r.consumer}: ${r.reason}`);
  }
  lines.push(
    `${result.selected.total} selected: ${verb} ${result.republished} record(s), ` +
      `skipped ${result.alreadyRedriven} already re-driven, ${result.missing} gone from the source topic`,
  );
  return lines.join('\n') + '\n';
}
