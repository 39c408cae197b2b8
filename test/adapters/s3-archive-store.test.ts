import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3ArchiveStore } from '../../lambdas/archive/adapters/s3-archive-store';
import { archivedRecords, decodeObject, encodeBatch } from '../../lambdas/archive/archive-format';
import { adapterEndpoints, localBucketClient, uniqueId } from '../support/adapters-env';
import { mskEvent } from '../support/msk';

const client = localBucketClient();
const { bucket } = adapterEndpoints();
const store = new S3ArchiveStore(client, bucket);
afterAll(() => client.destroy());

const partition = (topic: string, values: unknown[]) =>
  Object.values(mskEvent(values.map((value) => ({ topic, partition: 2, offset: 40, key: 'k', value }))).records)[0]!;
const read = async (key: string) => {
  const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { ...object, bytes: Buffer.from(await object.Body!.transformToByteArray()) };
};

describe('S3ArchiveStore on the S3 stand-in', () => {
  it('GIVEN an archive object WHEN put THEN the bucket holds its bytes, as gzip, with the offsets it covers in the metadata', async () => {
    const object = encodeBatch(partition(uniqueId('topic'), [{ n: 1 }]));

    await store.put(object);

    const stored = await read(object.key);
    expect(stored.bytes.equals(object.body)).toBe(true);
    expect(stored.ContentType).toBe('application/gzip');
    expect(stored.Metadata).toEqual({
      topic: object.topic,
      partition: '2',
      'first-offset': '40',
      'last-offset': '40',
      'record-count': '1',
    });
    expect(decodeObject(stored.bytes)).toHaveLength(1);
  });

  it('GIVEN an object already archived WHEN a redelivered batch puts the same key THEN the overwrite is accepted and the latest bytes are served', async () => {
    const topic = uniqueId('topic');
    await store.put(encodeBatch(partition(topic, [{ n: 1 }])));
    const again = encodeBatch(partition(topic, [{ n: 2 }]));

    await store.put(again);

    expect((await read(again.key)).bytes.equals(again.body)).toBe(true);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: again.key }))).resolves.toBeDefined();
  });

  it('GIVEN two overlapping batches of one partition (offsets 100-149 and 100-199) WHEN put in either order THEN both objects stay and the bucket reads 100-199 once each', async () => {
    const records = (topic: string, first: number, last: number) =>
      Object.values(
        mskEvent(
          Array.from({ length: last - first + 1 }, (_, i) => ({
            topic,
            partition: 1,
            offset: first + i,
            value: { n: first + i },
          })),
        ).records,
      )[0]!;
    for (const [a, b] of [
      [
        [100, 149],
        [100, 199],
      ],
      [
        [100, 199],
        [100, 149],
      ],
    ] as const) {
      const topic = uniqueId('topic');

      await store.put(encodeBatch(records(topic, a[0], a[1])));
      await store.put(encodeBatch(records(topic, b[0], b[1])));

      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${topic}/` }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!);
      expect(keys).toHaveLength(2);
      const archived = archivedRecords(
        await Promise.all(keys.map(async (key) => decodeObject((await read(key)).bytes))),
      );
      expect([...archived.records.values()].map((line) => line.offset).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 100 }, (_, i) => 100 + i),
      );
      expect(archived.conflicts).toEqual([]);
    }
  });
});
