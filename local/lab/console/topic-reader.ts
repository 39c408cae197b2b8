import { Admin, Consumer, MessagesStreamModes, type Message } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { partitionCounts, partitionOffsets } from './cluster-views';
import type { Cluster } from './connection';
import { deleteGroup } from './consume';

export type RawMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** Per partition: the first offset still on the broker and the next offset to be written. */
export interface TopicBounds {
  readonly earliest: readonly number[];
  readonly latest: readonly number[];
}

export async function topicBounds(cluster: Cluster, topic: string, clientId: string): Promise<TopicBounds> {
  const admin = new Admin(cluster.clientOptions(clientId));
  try {
    const counts = await partitionCounts(admin, [topic]);
    if (!counts.get(topic)) throw new Error(`Topic ${topic} is not on ${cluster.description}`);
    const [earliest, latest] = await Promise.all([
      partitionOffsets(admin, counts, 'earliest'),
      partitionOffsets(admin, counts, 'latest'),
    ]);
    return { earliest: earliest.get(topic)!, latest: latest.get(topic)! };
  } finally {
    await admin.close();
  }
}

/**
 * Reads the records in [from, to) of the given partitions of one topic, in offset order per
 * partition, with a throwaway group that commits nothing and is deleted afterwards.
 */
export async function readRanges(
  cluster: Cluster,
  topic: string,
  bounds: TopicBounds,
  ranges: ReadonlyMap<number, { readonly from: number; readonly to: number }>,
  onMessage: (message: RawMessage) => void | Promise<void>,
  clientId: string,
): Promise<void> {
  const remaining = new Map([...ranges].filter(([, r]) => r.from < r.to).map(([p, r]) => [p, r.to]));
  if (remaining.size === 0) return;
  const groupId = `${clientId}-${randomUUID()}`;
  const consumer = new Consumer({
    ...cluster.clientOptions(clientId),
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.MANUAL,
      // Every partition gets an offset: the wanted ones their start, the others their end (nothing to read).
      offsets: bounds.latest.map((end, partition) => ({
        topic,
        partition,
        offset: BigInt(ranges.get(partition)?.from ?? end),
      })),
      autocommit: false,
      maxWaitTime: 500,
    });
    try {
      for await (const message of stream) {
        const end = remaining.get(message.partition);
        const offset = Number(message.offset);
        if (end === undefined || offset >= end) continue;
        await onMessage(message);
        if (offset >= end - 1) remaining.delete(message.partition);
        if (remaining.size === 0) break;
      }
    } finally {
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close(true).catch(() => undefined);
    await deleteGroup(cluster, groupId);
  }
}
