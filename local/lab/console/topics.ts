import { Admin } from '@platformatic/kafka';
import type { Cluster } from './connection';
import { formatDuration, formatTable, partitionCounts, partitionOffsets, topicConfigs } from './cluster-views';

export interface TopicView {
  readonly topic: string;
  readonly partitions: number;
  /** Records the topic holds now: end offsets minus log-start offsets. */
  readonly records: number;
  readonly startOffsets: readonly number[];
  readonly endOffsets: readonly number[];
  /** `retention.ms`; -1 keeps records forever. */
  readonly retentionMs: number | null;
}

/** Every topic of the cluster (internal ones left out), by name. */
export async function describeTopics(cluster: Cluster): Promise<TopicView[]> {
  const admin = new Admin(cluster.clientOptions('kafka-console-topics'));
  try {
    const names = (await admin.listTopics()).sort();
    const counts = await partitionCounts(admin, names);
    const [starts, ends, configs] = await Promise.all([
      partitionOffsets(admin, counts, 'earliest'),
      partitionOffsets(admin, counts, 'latest'),
      topicConfigs(admin, names, ['retention.ms']),
    ]);
    return names.map((topic) => {
      const startOffsets = starts.get(topic) ?? [];
      const endOffsets = ends.get(topic) ?? [];
      const retention = configs.get(topic)?.['retention.ms'];
      return {
        topic,
        partitions: counts.get(topic) ?? 0,
        records: endOffsets.reduce((sum, end, p) => sum + end - (startOffsets[p] ?? 0), 0),
        startOffsets,
        endOffsets,
        retentionMs: retention === undefined || retention === null ? null : Number(retention),
      };
    });
  } finally {
    await admin.close();
  }
}

export function formatTopics(topics: readonly TopicView[]): string {
  if (topics.length === 0) return 'No topics.\n';
  return formatTable(
    ['TOPIC', 'PARTITIONS', 'RECORDS', 'END OFFSETS (per partition)', 'RETENTION'],
    topics.map((t) => [
      t.topic,
      t.partitions,
      t.records,
      t.endOffsets.join(' '),
      t.retentionMs === null ? '?' : formatDuration(t.retentionMs),
    ]),
  );
}
