import { Admin, Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';

/**
 * Read-only views of a Kafka cluster for the summary, the invariant checks and the tests: end
 * offsets, committed offsets of consumer groups, and every record of a topic.
 */

/** Latest offset of every partition (the offset the next record will get), per topic. */
export async function endOffsets(bootstrap: string, topics: readonly string[]): Promise<Map<string, number[]>> {
  const admin = inspector(bootstrap);
  try {
    const metadata = await admin.metadata({ topics: [...topics] });
    const listed = await admin.listOffsets({
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: -1n, // LATEST
        })),
      })),
    });
    const result = new Map<string, number[]>();
    for (const topic of listed) {
      const offsets: number[] = [];
      for (const p of topic.partitions) offsets[p.partitionIndex] = Number(p.offset);
      result.set(topic.name, offsets);
    }
    return result;
  } finally {
    await admin.close();
  }
}

/** Committed offset per topic-partition (`topic-partition` -> offset) of each group; -1 when none. */
export async function committedOffsets(
  bootstrap: string,
  groupIds: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const admin = inspector(bootstrap);
  try {
    const groups = await admin.listConsumerGroupOffsets({ groups: [...groupIds] });
    return new Map(
      groups.map((group) => [
        group.groupId,
        new Map(
          group.topics.flatMap((topic) =>
            topic.partitions.map((p) => [`${topic.name}-${p.partitionIndex}`, Number(p.committedOffset)] as const),
          ),
        ),
      ]),
    );
  } finally {
    await admin.close();
  }
}

export interface TopicRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: string | null;
  /** The value as UTF-8 text (null for a null value). */
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Every record of a topic, from the earliest offset to the end offsets taken at the call. Reads
 * with a throwaway consumer group that never commits, and deletes the group afterwards, so no
 * consumer of the system is disturbed.
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  { timeoutMs = 60_000 }: { timeoutMs?: number } = {},
): Promise<TopicRecord[]> {
  const ends = (await endOffsets(bootstrap, [topic])).get(topic) ?? [];
  const remaining = new Set(ends.flatMap((end, partition) => (end > 0 ? [partition] : [])));
  if (remaining.size === 0) return [];

  const groupId = `local-inspect-${randomUUID()}`;
  const consumer = new Consumer({
    groupId,
    clientId: 'local-inspect',
    bootstrapBrokers: bootstrap.split(','),
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const records: TopicRecord[] = [];
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: false,
      maxWaitTime: 200,
    });
    const timer = setTimeout(
      () => stream.destroy(new Error(`reading ${topic} took more than ${timeoutMs} ms`)),
      timeoutMs,
    );
    try {
      for await (const message of stream) {
        const offset = Number(message.offset);
        if (offset < ends[message.partition]!) {
          records.push({
            topic,
            partition: message.partition,
            offset,
            timestamp: Number(message.timestamp),
            key: message.key?.length ? message.key.toString('utf8') : null,
            value: message.value ? message.value.toString('utf8') : null,
            headers: Object.fromEntries(
              message.headerEntries.map(([k, v]) => [k.toString('utf8'), v.toString('utf8')]),
            ),
          });
        }
        if (offset >= ends[message.partition]! - 1) remaining.delete(message.partition);
        if (remaining.size === 0) break;
      }
    } finally {
      clearTimeout(timer);
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close(true).catch(() => undefined);
    const admin = inspector(bootstrap);
    await admin.deleteGroups({ groups: [groupId] }).catch(() => undefined);
    await admin.close();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

function inspector(bootstrap: string): Admin {
  return new Admin({ clientId: 'local-inspect', bootstrapBrokers: bootstrap.split(','), connectTimeout: 5_000 });
}
