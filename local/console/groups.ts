import { Admin } from '@platformatic/kafka';
import type { Cluster } from './connection';
import { formatTable, partitionCounts, partitionOffsets } from './cluster-views';

export interface GroupPartitionLag {
  readonly group: string;
  readonly state: string;
  readonly topic: string;
  readonly partition: number;
  /** The group's next offset to read; null when it committed nothing on this partition. */
  readonly committed: number | null;
  readonly end: number;
  /** Records the group has still to read: from its committed offset (or the log start) to the end. */
  readonly lag: number;
}

export interface GroupView {
  readonly group: string;
  readonly state: string;
  readonly partitions: readonly GroupPartitionLag[];
  readonly totalLag: number;
}

/** Every consumer group with its lag on every partition of the topics it has committed on. */
export async function describeGroups(cluster: Cluster): Promise<GroupView[]> {
  const admin = new Admin(cluster.clientOptions('kafka-console-groups'));
  try {
    const listed = await admin.listGroups();
    const ids = [...listed.keys()].sort();
    if (ids.length === 0) return [];
    const committed = await admin.listConsumerGroupOffsets({ groups: ids });
    const topics = [...new Set(committed.flatMap((g) => g.topics.map((t) => t.name)))];
    const counts = await partitionCounts(admin, topics);
    const [starts, ends] = await Promise.all([
      partitionOffsets(admin, counts, 'earliest'),
      partitionOffsets(admin, counts, 'latest'),
    ]);
    return ids.map((group) => {
      const state = listed.get(group)!.state;
      const offsets = committed.find((g) => g.groupId === group)?.topics ?? [];
      const partitions = offsets
        .flatMap((topic) =>
          topic.partitions.map((p) => {
            const end = ends.get(topic.name)?.[p.partitionIndex] ?? 0;
            const position = p.committedOffset >= 0n ? Number(p.committedOffset) : null;
            const from = position ?? starts.get(topic.name)?.[p.partitionIndex] ?? 0;
            return {
              group,
              state,
              topic: topic.name,
              partition: p.partitionIndex,
              committed: position,
              end,
              lag: Math.max(0, end - from),
            };
          }),
        )
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      return { group, state, partitions, totalLag: partitions.reduce((sum, p) => sum + p.lag, 0) };
    });
  } finally {
    await admin.close();
  }
}

export function formatGroups(groups: readonly GroupView[]): string {
  if (groups.length === 0) return 'No consumer groups.\n';
  const rows = groups.flatMap((g) =>
    g.partitions.length
      ? g.partitions.map((p) => [g.group, g.state, p.topic, p.partition, p.committed ?? '-', p.end, p.lag])
      : [[g.group, g.state, '-', '-', '-', '-', '-']],
  );
  const totals = groups.map((g) => `${g.group} ${g.totalLag}`).join(', ');
  return `${formatTable(['GROUP', 'STATE', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'], rows)}\nTotal lag per group: ${totals}\n`;
}
