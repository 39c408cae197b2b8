import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { MSKEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { archiveConsumer } from '../../../lambdas/archive/archive-consumer';
import { archivedRecords, decodeObject, recordOf } from '../../../lambdas/archive/archive-format';
import { ENV } from '../../../lambdas/shared/contracts/environment';
import { metrics } from '../../../lambdas/shared/observability';
import { InMemoryArchiveStore } from '../../support/doubles/archive';
import { lambdaContext } from '../../support/doubles/lambda-context';
import { coldStart } from '../../support/function-env';
import { loadEvent } from '../../support/msk';

let lambdaHandler: ReturnType<typeof archiveConsumer>;

/** The bucket in memory; S3 answers SlowDown for the keys that match `failKeys`. */
function fakeBucket(options: { failKeys?: RegExp } = {}) {
  const store = new InMemoryArchiveStore();
  const slowDown = Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown' });
  store.fault = (_operation, key) => (options.failKeys?.test(key) ? slowDown : undefined);
  lambdaHandler = archiveConsumer(store);
  return { objects: store.objects, puts: store.puts };
}

const archiveBatch = () => loadEvent('archive-batch.json');
const partitionsOf = (event: MSKEvent) => Object.values(event.records);

describe('archive consumer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN a batch of several topics and partitions WHEN archived THEN one object per topic-partition is put, named by topic, UTC day, partition, first and last offset', async () => {
    const { puts } = fakeBucket();
    const event = archiveBatch();

    await lambdaHandler(event);

    expect(puts.map((p) => p.key).sort()).toEqual(
      partitionsOf(event)
        .map((records) => {
          const [first, last] = [records[0]!, records[records.length - 1]!];
          const day = new Date(first.timestamp).toISOString().slice(0, 10);
          const offsets = [first.offset, last.offset].map((o) => String(o).padStart(20, '0')).join('+');
          return `${first.topic}/dt=${day}/${first.topic}+${first.partition}+${offsets}.jsonl.gz`;
        })
        .sort(),
    );
    expect(puts.length).toBeGreaterThanOrEqual(5);
    expect(puts.map((p) => p.key)).toContain(
      'orders/dt=2025-04-07/orders+3+00000000000000000120+00000000000000000121.jsonl.gz',
    );
    expect(puts.find((p) => p.key.startsWith('orders/'))).toMatchObject({
      topic: 'orders',
      partition: 3,
      firstOffset: 120,
    });
  });

  it('GIVEN a batch WHEN archived THEN each object holds exactly the records of its topic-partition, as delivered', async () => {
    const { objects } = fakeBucket();
    const event = archiveBatch();

    await lambdaHandler(event);

    const archived = [...objects.values()].map((body) => decodeObject(body).map(recordOf));
    expect(
      archived.sort((a, b) => a[0]!.topic.localeCompare(b[0]!.topic) || a[0]!.partition - b[0]!.partition),
    ).toEqual(
      partitionsOf(archiveBatch()).sort(
        (a, b) => a[0]!.topic.localeCompare(b[0]!.topic) || a[0]!.partition - b[0]!.partition,
      ),
    );
  });

  it('GIVEN the same batch delivered 3 times WHEN archived THEN the same keys get identical bytes and the archive holds each record once', async () => {
    const { objects, puts } = fakeBucket();

    await lambdaHandler(archiveBatch());
    const firstPuts = puts.map((p) => [p.key, p.body.toString('base64')]);
    await lambdaHandler(archiveBatch());
    await lambdaHandler(archiveBatch());

    expect(puts.map((p) => [p.key, p.body.toString('base64')])).toEqual([...firstPuts, ...firstPuts, ...firstPuts]);
    const lines = [...objects.values()].map((body) => decodeObject(body));
    const archived = archivedRecords(lines);
    expect(archived.lines).toBe(archived.records.size);
    expect(archived.records.size).toBe(partitionsOf(archiveBatch()).flat().length);
  });

  it('GIVEN poison records WHEN archived THEN they are kept as delivered, nothing is validated or dropped', async () => {
    const { objects } = fakeBucket();
    const event = loadEvent('shipping-poison.json');

    await lambdaHandler(event);

    const lines = [...objects.values()].flatMap((body) => decodeObject(body));
    expect(lines).toHaveLength(partitionsOf(event).flat().length);
    expect(lines.find((l) => l.offset === 55)).toMatchObject({ value: 'not base64!', decoded: { key: '12349' } });
    expect(lines.find((l) => l.offset === 54)).toMatchObject({ value: null, decoded: { key: '12349' } });
  });

  it('GIVEN S3 fails for one object WHEN archived THEN the invocation throws so that the whole batch is retried', async () => {
    const { puts } = fakeBucket({ failKeys: /^shipping\// });

    await expect(lambdaHandler(archiveBatch())).rejects.toThrow(
      /failed to write \(shipping\/dt=2025-04-07\/shipping\+3\+/,
    );
    expect(puts.length).toBe(partitionsOf(archiveBatch()).length - 1);
  });
});

describe('archive handler.ts (middy chain, configuration from the environment)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN the deployed middy handler WHEN invoked with a Lambda context THEN it puts gzip objects with their offsets into ARCHIVE_BUCKET and counts the records', async () => {
    const { handler } = await coldStart('archive', () => import('../../../lambdas/archive/handler'));
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({ ETag: '"etag"' });
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const event = archiveBatch();

    await handler(event, lambdaContext('archive'));

    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(partitionsOf(event).length);
    expect(new Set(puts.map((p) => p.Bucket))).toEqual(new Set([process.env[ENV.archiveBucket]]));
    expect(puts[0]).toMatchObject({ ContentType: 'application/gzip', Metadata: { topic: expect.any(String) } });
    const recordsArchived = addMetric.mock.calls.filter(([name]) => name === 'RecordsArchived').map(([, , n]) => n);
    expect(recordsArchived.reduce((a, b) => a + b, 0)).toBe(partitionsOf(event).flat().length);
    s3.restore();
  });
});
