import * as z from 'zod/mini';
import { DeadLetterSchema } from '../../../lambdas/shared/contracts/events';

/**
 * The two shapes on the dead-letter topic, read into one entry that says where the original record
 * is. Only positions are trusted: a dead letter may carry a truncated copy of the record, so the
 * re-drive always reads the original from its source topic (docs/design.md, "Re-drive").
 */

export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface DeadLetterEntry {
  /** Where this dead letter itself is. */
  readonly deadLetter: Position;
  readonly at: string;
  /** `function`: a DeadLetter event a function wrote; `lambda`: Lambda's on-failure record. */
  readonly shape: 'function' | 'lambda';
  readonly consumer: string;
  readonly reason: string;
  /** The original record. */
  readonly source: Position;
}

export interface DeadLetterMessage {
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly value: Buffer | null;
}

/** The fields of the functions' DeadLetter event a re-drive needs, from the contract. */
const FunctionDeadLetter = z.extend(z.pick(DeadLetterSchema, { event_type: true, consumer: true, reason: true }), {
  source: z.pick(DeadLetterSchema.shape.source, { topic: true, partition: true, offset: true }),
});

/**
 * Lambda's on-failure record for a Kafka destination (local/runtime/runner/on-failure.ts quotes the page):
 * the failure metadata, the record's offset, and the record in `payload` as the invocation event.
 */
const LambdaFailureRecord = z.object({
  requestContext: z.object({ functionArn: z.string(), condition: z.string() }),
  responseContext: z.optional(z.object({ functionError: z.optional(z.string()) })),
  KafkaBatchInfo: z.object({ recordInfo: z.object({ offset: z.string().check(z.regex(/^\d+$/)) }) }),
  payload: z.object({
    records: z.record(z.string(), z.array(z.object({ topic: z.string(), partition: z.int() })).check(z.minLength(1))),
  }),
});

/** A dead letter's entry, or the reason it cannot be re-driven (not JSON, neither shape). */
export function readDeadLetter(topic: string, message: DeadLetterMessage): DeadLetterEntry | { unreadable: string } {
  const deadLetter = { topic, partition: message.partition, offset: message.offset };
  const at = new Date(message.timestamp).toISOString();
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? 'null');
  } catch {
    return { unreadable: 'not JSON' };
  }
  const own = FunctionDeadLetter.safeParse(value);
  if (own.success) {
    const { consumer, reason, source } = own.data;
    return { deadLetter, at, shape: 'function', consumer, reason, source };
  }
  const lambda = LambdaFailureRecord.safeParse(value);
  if (lambda.success) {
    const { requestContext, responseContext, KafkaBatchInfo, payload } = lambda.data;
    const [{ topic: sourceTopic, partition }] = Object.values(payload.records)[0]!;
    const reason = responseContext?.functionError
      ? `${requestContext.condition} (${responseContext.functionError})`
      : requestContext.condition;
    return {
      deadLetter,
      at,
      shape: 'lambda',
      consumer: functionNameOf(requestContext.functionArn),
      reason,
      source: { topic: sourceTopic, partition, offset: Number(KafkaBatchInfo.recordInfo.offset) },
    };
  }
  return { unreadable: 'neither a DeadLetter event nor an on-failure record' };
}

/** `arn:aws:lambda:region:account:function:NAME[:qualifier]` → NAME. */
function functionNameOf(arn: string): string {
  const parts = arn.split(':');
  return parts[6] ?? arn;
}

export interface Selection {
  readonly consumer?: string;
  readonly sourceTopic?: string;
  /** Case-insensitive substring of the reason. */
  readonly reason?: string;
  /** Dead letters written at or after this time. */
  readonly since?: Date;
}

export function selects(selection: Selection, entry: DeadLetterEntry): boolean {
  return (
    (selection.consumer === undefined || entry.consumer === selection.consumer) &&
    (selection.sourceTopic === undefined || entry.source.topic === selection.sourceTopic) &&
    (selection.reason === undefined || entry.reason.toLowerCase().includes(selection.reason.toLowerCase())) &&
    (selection.since === undefined || Date.parse(entry.at) >= selection.since.getTime())
  );
}

/**
 * The header a re-driven record carries: the dead letter it came from. Seeing it on a record of
 * the source topic is how a second re-drive knows the first one already published that dead letter.
 */
export const REDRIVEN_FROM_HEADER = 'redriven-from';

export function redriveMark(entry: DeadLetterEntry): string {
  return `${entry.deadLetter.topic}/${entry.deadLetter.partition}/${entry.deadLetter.offset}`;
}

export interface DeadLetterCounts {
  readonly total: number;
  readonly unreadable: number;
  readonly byConsumer: Record<string, number>;
  readonly byReason: Record<string, number>;
  readonly bySourceTopic: Record<string, number>;
  /** Per hour (UTC, `YYYY-MM-DDTHH`), oldest first. */
  readonly byHour: Record<string, number>;
  readonly first?: string;
  readonly last?: string;
}

export function countDeadLetters(entries: readonly DeadLetterEntry[], unreadable: number): DeadLetterCounts {
  const tally = (key: (e: DeadLetterEntry) => string) => {
    const counts = new Map<string, number>();
    for (const entry of entries) counts.set(key(entry), (counts.get(key(entry)) ?? 0) + 1);
    return counts;
  };
  const largestFirst = (counts: Map<string, number>) =>
    Object.fromEntries([...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
  const times = entries.map((e) => e.at).sort();
  return {
    total: entries.length,
    unreadable,
    byConsumer: largestFirst(tally((e) => e.consumer)),
    byReason: largestFirst(tally((e) => e.reason)),
    bySourceTopic: largestFirst(tally((e) => e.source.topic)),
    byHour: Object.fromEntries([...tally((e) => e.at.slice(0, 13))].sort(([a], [b]) => a.localeCompare(b))),
    first: times[0],
    last: times[times.length - 1],
  };
}

/** The counts for a person: one small table per dimension. */
export function formatCounts(counts: DeadLetterCounts): string {
  const lines = [
    `${counts.total} dead letters${counts.unreadable ? ` (and ${counts.unreadable} unreadable)` : ''}` +
      (counts.first ? `, ${counts.first} to ${counts.last}` : ''),
  ];
  const section = (title: string, rows: Record<string, number>) => {
    const entries = Object.entries(rows);
    if (entries.length === 0) return;
    const width = Math.max(...entries.map(([, n]) => String(n).length));
    lines.push('', title, ...entries.map(([name, n]) => `  ${String(n).padStart(width)}  ${name}`));
  };
  section('By consumer', counts.byConsumer);
  section('By source topic', counts.bySourceTopic);
  section('By reason', counts.byReason);
  section('By hour (UTC)', counts.byHour);
  return `${lines.join('\n')}\n`;
}
