import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsCommand } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { decodeObject, type ArchiveLine } from '../../../lambdas/archive/archive-format';
import { SUBSCRIPTIONS } from '../../../lambdas/shared/contracts/subscriptions';
import { TABLES, type TableId } from '../../../lambdas/shared/contracts/tables';
import { TOPICS, type TopicName } from '../../../lambdas/shared/contracts/topics';
import { LOCAL_ARCHIVE_BUCKET, localTableName } from '../app-bindings';
import { forEachConcurrently } from '../concurrency';
import type { LocalEndpoints } from '../../runtime/services';
import { localDynamoDbClient } from '../../runtime/services/dynamodb/dynamodb-local';
import { localS3Client } from '../../runtime/services/s3/s3-store';
import { committedOffsets, endOffsets, readTopic, type TopicRecord } from './kafka-inspect';

/**
 * Everything the pipeline holds at one moment, read from the real components: every item of every
 * table, every record of every topic, the consumer groups' committed offsets and every archive
 * object. The summary and the invariant checks work on it, so they read the same state.
 */
export interface PipelineSnapshot {
  readonly tables: Readonly<Record<TableId, readonly Record<string, unknown>[]>>;
  readonly records: ReadonlyMap<TopicName, readonly TopicRecord[]>;
  readonly endOffsets: ReadonlyMap<string, readonly number[]>;
  /** Offsets the run started from, per topic and partition (records before them are left out); none = 0. */
  readonly startOffsets: ReadonlyMap<string, readonly number[]>;
  /** Consumer group id -> `topic-partition` -> committed offset, for every mapping in SUBSCRIPTIONS. */
  readonly committed: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly archive: readonly ArchiveObjectLines[];
}

export interface ArchiveObjectLines {
  readonly key: string;
  /** Undefined when the object could not be decoded (then `error` says why). */
  readonly lines?: readonly ArchiveLine[];
  readonly error?: string;
}

/**
 * `since`: the end offsets when the run began (see endOffsets()), for a broker that already held
 * records (`--kafka host:port`): only the records of this run are read and checked.
 */
export async function takeSnapshot(
  endpoints: LocalEndpoints,
  { since = new Map() }: { since?: ReadonlyMap<string, readonly number[]> } = {},
): Promise<PipelineSnapshot> {
  const topicNames = Object.values(TOPICS).map((t) => t.name);
  const [tables, records, ends, committed, archive] = await Promise.all([
    scanTables(endpoints.dynamodbEndpoint),
    Promise.all(
      topicNames.map(async (name) => {
        const start = since.get(name) ?? [];
        const all = await readTopic(endpoints.kafkaBootstrap, name);
        return [name, all.filter((r) => r.offset >= (start[r.partition] ?? 0))] as const;
      }),
    ),
    endOffsets(endpoints.kafkaBootstrap, topicNames),
    committedOffsets(endpoints.kafkaBootstrap, [...new Set(SUBSCRIPTIONS.map((s) => s.consumerGroupId))]),
    readArchive(endpoints.s3Endpoint),
  ]);
  return { tables, records: new Map(records), endOffsets: ends, startOffsets: since, committed, archive };
}

export async function scanTables(endpoint: string): Promise<Record<TableId, Record<string, unknown>[]>> {
  const client = localDynamoDbClient(endpoint);
  try {
    const ids = Object.keys(TABLES) as TableId[];
    const scanned = await Promise.all(ids.map((id) => scanTable(client, localTableName(id))));
    return Object.fromEntries(ids.map((id, i) => [id, scanned[i]!])) as Record<TableId, Record<string, unknown>[]>;
  } finally {
    client.destroy();
  }
}

async function scanTable(
  client: ReturnType<typeof localDynamoDbClient>,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) items.push(unmarshall(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every object of the archive bucket, decoded with the archive's own reader. */
export async function readArchive(
  endpoint: string,
  bucket: string = LOCAL_ARCHIVE_BUCKET,
): Promise<ArchiveObjectLines[]> {
  const client = localS3Client(endpoint);
  try {
    // ListObjects (v1) with markers: s3rver 3.7 fails ListObjectsV2 with an InternalError once a
    // bucket holds more than one page (1,000 keys); v1 pages correctly, on S3 as on s3rver.
    const keys: string[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker }));
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      marker = page.IsTruncated ? page.Contents?.at(-1)?.Key : undefined;
    } while (marker);

    const objects: ArchiveObjectLines[] = [];
    await forEachConcurrently(keys, 8, async (key) => {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = await object.Body!.transformToByteArray();
      try {
        objects.push({ key, lines: decodeObject(body) });
      } catch (error) {
        objects.push({ key, error: (error as Error).message });
      }
    });
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  } finally {
    client.destroy();
  }
}
