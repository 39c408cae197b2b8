import { Admin, ConfigResourceTypes } from '@platformatic/kafka';

/** Offsets, configs and groups of a cluster, read with one Admin client. */

/** Per topic, the offset of each partition: `earliest` (log start) or `latest` (the next record's offset). */
export async function partitionOffsets(
  admin: Admin,
  topics: ReadonlyMap<string, number>,
  which: 'earliest' | 'latest',
): Promise<Map<string, number[]>> {
  if (topics.size === 0) return new Map();
  const listed = await admin.listOffsets({
    topics: [...topics].map(([name, partitions]) => ({
      name,
      partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
        partitionIndex,
        timestamp: which === 'latest' ? -1n : -2n, // ListOffsets' LATEST and EARLIEST
      })),
    })),
  });
  return new Map(
    listed.map((topic) => {
      const offsets: number[] = [];
      for (const p of topic.partitions) offsets[p.partitionIndex] = Number(p.offset);
      return [topic.name, offsets] as const;
    }),
  );
}

/** Partition count of each topic. */
export async function partitionCounts(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const metadata = await admin.metadata({ topics: [...topics] });
  return new Map([...metadata.topics].map(([name, topic]) => [name, topic.partitionsCount]));
}

/** A topic's configuration values (e.g. `retention.ms`), as the broker reports them. */
export async function topicConfigs(
  admin: Admin,
  topics: readonly string[],
  keys: readonly string[],
): Promise<Map<string, Record<string, string | null>>> {
  if (topics.length === 0) return new Map();
  const described = await admin.describeConfigs({
    resources: topics.map((resourceName) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName,
      configurationKeys: [...keys],
    })),
  });
  return new Map(
    described.map(
      (d) => [d.resourceName, Object.fromEntries(d.configs.map((c) => [c.name, c.value ?? null]))] as const,
    ),
  );
}

/** `7 d`, `12 h`, `90 min`, or `forever` for -1. */
export function formatDuration(ms: number): string {
  if (ms < 0) return 'forever';
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}

/** Rows as columns aligned under a header; number columns are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  // A number column may show "-" for "none".
  const numeric = header.map(
    (_, i) =>
      rows.some((row) => typeof row[i] === 'number') &&
      rows.every((row) => typeof row[i] === 'number' || row[i] === '-'),
  );
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
