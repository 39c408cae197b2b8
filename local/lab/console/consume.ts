import { Admin, Consumer, MessagesStreamFallbackModes, MessagesStreamModes, type Message } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { ConsoleCommand } from './args';
import { partitionCounts, partitionOffsets } from './cluster-views';
import type { Cluster } from './connection';

type ConsumeCommand = Extract<ConsoleCommand, { name: 'consume' }>;

/** One record as `--json` prints it: the value parsed when it is JSON, else its text. */
export interface PrintedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: unknown;
}

/** How often a --group read commits what it has printed. */
const COMMIT_INTERVAL_MS = 1_000;

/**
 * Prints a topic's records. Without --group it reads with a throwaway group that commits nothing
 * and is deleted afterwards, so no consumer of the system is disturbed; with --group it resumes
 * from the group's committed offsets and commits only what it printed.
 */
export async function consume(
  cluster: Cluster,
  command: ConsumeCommand,
  io: { readonly stdout: Writable; readonly signal?: AbortSignal },
): Promise<{ readonly records: number; readonly nothingToRead: boolean }> {
  const { topic } = command;
  const remaining = command.follow ? undefined : await partitionsToRead(cluster, command);
  if (remaining?.size === 0) return { records: 0, nothingToRead: true };

  const groupId = command.group ?? `kafka-console-${randomUUID()}`;
  const consumer = new Consumer({
    ...cluster.clientOptions('kafka-console-consumer'),
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const toCommit = new Map<number, Message<Buffer, Buffer, Buffer, Buffer>>();
  const commit = async () => {
    const messages = [...toCommit.values()];
    toCommit.clear();
    for (const message of messages) await message.commit();
  };
  let printed = 0;
  let commitTimer: NodeJS.Timeout | undefined;
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: command.group
        ? MessagesStreamModes.COMMITTED
        : command.fromBeginning
          ? MessagesStreamModes.EARLIEST
          : MessagesStreamModes.LATEST,
      // A group that has committed nothing yet starts where --from-beginning says.
      fallbackMode: command.fromBeginning ? MessagesStreamFallbackModes.EARLIEST : MessagesStreamFallbackModes.LATEST,
      autocommit: false,
      maxWaitTime: 500,
    });
    const stop = () => void stream.close().catch(() => undefined);
    io.signal?.addEventListener('abort', stop, { once: true });
    if (command.group) commitTimer = setInterval(() => void commit().catch(() => undefined), COMMIT_INTERVAL_MS);
    try {
      for await (const message of stream) {
        const offset = Number(message.offset);
        if (remaining) {
          const end = remaining.get(message.partition);
          if (end === undefined || offset >= end) continue;
          if (offset >= end - 1) remaining.delete(message.partition);
        }
        const record = printable(topic, message);
        const text = command.json ? `${JSON.stringify(record)}\n` : formatRecord(record);
        if (!io.stdout.write(text)) await once(io.stdout, 'drain');
        printed++;
        if (command.group) toCommit.set(message.partition, message);
        if (printed === command.max || remaining?.size === 0) break;
      }
    } finally {
      io.signal?.removeEventListener('abort', stop);
      clearInterval(commitTimer);
      if (command.group) await commit();
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close(true).catch(() => undefined);
    if (!command.group) await deleteGroup(cluster, groupId);
  }
  return { records: printed, nothingToRead: false };
}

/**
 * Without --follow, the partitions to read and the end offset to stop at, taken when the command
 * starts; partitions with nothing to read from where this read starts are left out.
 */
async function partitionsToRead(cluster: Cluster, command: ConsumeCommand): Promise<Map<number, number>> {
  const admin = new Admin(cluster.clientOptions('kafka-console-consumer'));
  try {
    const counts = await partitionCounts(admin, [command.topic]);
    if (!counts.get(command.topic)) throw new Error(`Topic ${command.topic} is not on ${cluster.description}`);
    const [earliest, latest] = await Promise.all([
      partitionOffsets(admin, counts, 'earliest'),
      partitionOffsets(admin, counts, 'latest'),
    ]);
    const committed = new Map<number, number>();
    if (command.group) {
      const [group] = await admin.listConsumerGroupOffsets({ groups: [command.group] });
      for (const t of group?.topics ?? []) {
        if (t.name !== command.topic) continue;
        for (const p of t.partitions)
          if (p.committedOffset >= 0n) committed.set(p.partitionIndex, Number(p.committedOffset));
      }
    }
    const ends = latest.get(command.topic)!;
    const starts = command.fromBeginning ? earliest.get(command.topic)! : ends;
    return new Map(
      ends.flatMap((end, partition) =>
        (committed.get(partition) ?? starts[partition]!) < end ? [[partition, end]] : [],
      ),
    );
  } finally {
    await admin.close();
  }
}

/** Removes a throwaway group (it holds no offsets worth keeping). */
export async function deleteGroup(cluster: Cluster, groupId: string): Promise<void> {
  const admin = new Admin(cluster.clientOptions('kafka-console-consumer'));
  try {
    await admin.deleteGroups({ groups: [groupId] });
  } catch {
    // A group that never joined (no partition read) does not exist; either way it holds no offsets.
  } finally {
    await admin.close();
  }
}

export function printable(topic: string, message: Message<Buffer, Buffer, Buffer, Buffer>): PrintedRecord {
  const text = message.value?.length ? message.value.toString('utf8') : null;
  let value: unknown = text;
  if (text !== null) {
    try {
      value = JSON.parse(text);
    } catch {
      value = text; // not JSON: printed as text
    }
  }
  return {
    topic,
    partition: message.partition,
    offset: Number(message.offset),
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key: message.key?.length ? message.key.toString('utf8') : null,
    headers: Object.fromEntries(message.headerEntries.map(([k, v]) => [k.toString('utf8'), v.toString('utf8')])),
    value,
  };
}

/** A record for a person: where it is and its key on one line, then the value as indented JSON. */
export function formatRecord(record: PrintedRecord): string {
  const value = typeof record.value === 'string' ? record.value : JSON.stringify(record.value, null, 2);
  return `key ${record.key ?? '(none)'}  partition ${record.partition}  offset ${record.offset}  ${record.timestamp}\n${value}\n\n`;
}
