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
  /**
   * Records the group has still to read, from its committed offset to the end; null without a
   * committed offset, where it depends on the group's reset policy (kafka-consumer-groups shows "-").
   */
  readonly lag: number | null;
}

export interface GroupView {
  readonly group: string;
  readonly state: string;
  readonly partitions: readonly GroupPartitionLag[];
  /** Lag summed over the partitions with a committed offset. */
  readonly totalLag: number;
}

/** Every consumer group with its lag on every partition of the topics it reads. */
export async function describeGroups(cluster: Cluster): Promise<GroupView[]> {
  const admin = new Admin(cluster.clientOptions('kafka-console-groups'));
  try {
    const listed = await admin.listGroups();
    const ids = [...listed.keys()].sort();
    if (ids.length === 0) return [];
    const [committed, described] = await Promise.all([
      admin.listConsumerGroupOffsets({ groups: ids }),
      admin.describeGroups({ groups: ids }),
    ]);
    // A group's topics: those it committed on, and those assigned to its members (a partition
    // it has not committed on yet still has a lag: everything from the log start).
    const topicsOf = new Map(ids.map((id) => [id, new Set<string>()]));
    for (const g of committed) for (const t of g.topics) topicsOf.get(g.groupId)?.add(t.name);
    for (const [id, group] of described) {
      for (const member of group.members.values()) {
        for (const topic of member.assignments?.keys() ?? []) topicsOf.get(id)?.add(topic);
      }
    }
    const counts = await partitionCounts(admin, [...new Set([...topicsOf.values()].flatMap((t) => [...t]))]);
    const ends = await partitionOffsets(admin, counts, 'latest');
    return ids.map((group) => {
      const state = listed.get(group)!.state;
      const offsets = committed.find((g) => g.groupId === group)?.topics ?? [];
      const partitions = [...topicsOf.get(group)!].sort().flatMap((topic) =>
        Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => {
          const end = ends.get(topic)?.[partition] ?? 0;
          const stored = offsets.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition);
          const position = stored && stored.committedOffset >= 0n ? Number(stored.committedOffset) : null;
          const lag = position === null ? null : Math.max(0, end - position);
          return { group, state, topic, partition, committed: position, end, lag };
        }),
      );
      return { group, state, partitions, totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0) };
    });
  } finally {
    await admin.close();
  }
}

export function formatGroups(groups: readonly GroupView[]): string {
  if (groups.length === 0) return 'No consumer groups.\n';
  const rows = groups.flatMap((g) =>
    g.partitions.length
      ? g.partitions.map((p) => [g.group, g.state, p.topic, p.partition, p.committed ?? '-', p.end, p.lag ?? '-'])
      : [[g.group, g.state, '-', '-', '-', '-', '-']],
  );
  const totals = groups.map((g) => `${g.group} ${g.totalLag}`).join(', ');
  return `${formatTable(['GROUP', 'STATE', 'TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'], rows)}\nTotal lag per group: ${totals}\n`;
}
