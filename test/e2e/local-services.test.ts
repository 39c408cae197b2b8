import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, ListObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { TABLES, type TableId } from '../../lambdas/shared/contracts/tables';
import { TOPICS } from '../../lambdas/shared/contracts/topics';
import { endOffsets, readTopic } from '../../local/lab/demo/kafka-inspect';
import { LOCAL_ARCHIVE_BUCKET, localTableName } from '../../local/lab/app-bindings';
import { localDynamoDbClient, localS3Client } from '../../local/runtime/services';
import { e2eEnvironment } from '../support/e2e-env';

/**
 * The real components the e2e globalSetup started, before any function runs on them: the topics,
 * tables and bucket exist as the contracts define them, and each component answers.
 */
const env = e2eEnvironment();
const TIMEOUT_MS = 60_000;

describe('local services', () => {
  it(
    'GIVEN the local broker WHEN its metadata is read THEN every topic of TOPICS exists with its partition count',
    async () => {
      const admin = new Admin({ clientId: 'e2e-services', bootstrapBrokers: [env.kafkaBootstrap] });
      try {
        const metadata = await admin.metadata({ topics: Object.values(TOPICS).map((t) => t.name) });
        const partitions = Object.fromEntries([...metadata.topics].map(([name, t]) => [name, t.partitionsCount]));
        expect(partitions).toEqual(Object.fromEntries(Object.values(TOPICS).map((t) => [t.name, t.partitions])));
      } finally {
        await admin.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN a scratch topic WHEN records are produced THEN they are read back in order with keys and headers',
    async () => {
      const topic = `e2e-roundtrip-${randomUUID()}`;
      const admin = new Admin({ clientId: 'e2e-services', bootstrapBrokers: [env.kafkaBootstrap] });
      const producer = new Producer({
        clientId: 'e2e-services',
        bootstrapBrokers: [env.kafkaBootstrap],
        serializers: stringSerializers,
        idempotent: true,
      });
      try {
        await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
        const sent = Array.from({ length: 5 }, (_, i) => ({
          topic,
          key: `key-${i}`,
          value: JSON.stringify({ n: i }),
          headers: { event_type: 'RoundTrip' },
        }));
        await producer.send({ messages: sent });

        const records = await readTopic(env.kafkaBootstrap, topic);

        expect(records.map((r) => [r.offset, r.key, r.value, r.headers.event_type])).toEqual(
          sent.map((m, i) => [i, m.key, m.value, 'RoundTrip']),
        );
        expect((await endOffsets(env.kafkaBootstrap, [topic])).get(topic)).toEqual([5]);
      } finally {
        await producer.close();
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
        await admin.close();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN DynamoDB Local WHEN the tables are described THEN each table of TABLES exists with its key, billing mode, stream and TTL',
    async () => {
      const client = localDynamoDbClient(env.dynamodbEndpoint);
      try {
        const ids = Object.keys(TABLES) as TableId[];
        const described = await Promise.all(
          ids.map((id) => client.send(new DescribeTableCommand({ TableName: localTableName(id) }))),
        );
        expect(
          described.map(({ Table }) => ({
            name: Table?.TableName,
            key: Table?.KeySchema,
            billing: Table?.BillingModeSummary?.BillingMode,
            stream: Table?.StreamSpecification?.StreamEnabled ? Table.StreamSpecification.StreamViewType : 'none',
          })),
        ).toEqual(
          ids.map((id) => ({
            name: localTableName(id),
            key: [{ AttributeName: TABLES[id].partitionKey, KeyType: 'HASH' }],
            billing: 'PAY_PER_REQUEST',
            stream: TABLES[id].stream ? 'NEW_IMAGE' : 'none',
          })),
        );
        const { TimeToLiveDescription } = await client.send(
          new DescribeTimeToLiveCommand({ TableName: localTableName('outbox') }),
        );
        expect(TimeToLiveDescription?.AttributeName).toBe(TABLES.outbox.ttlAttribute);
      } finally {
        client.destroy();
      }
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN the S3 stand-in WHEN the archive bucket is listed and a scratch bucket written THEN both answer',
    async () => {
      const client = localS3Client(env.s3Endpoint);
      const scratch = `e2e-scratch-${randomUUID()}`;
      try {
        // ListObjects v1: s3rver 3.7 answers a truncated ListObjectsV2 with an InternalError.
        const listing = await client.send(new ListObjectsCommand({ Bucket: LOCAL_ARCHIVE_BUCKET, MaxKeys: 1 }));
        expect(listing.$metadata.httpStatusCode).toBe(200);

        await client.send(new CreateBucketCommand({ Bucket: scratch }));
        await client.send(new PutObjectCommand({ Bucket: scratch, Key: 'a/b.txt', Body: 'hello' }));
        const object = await client.send(new GetObjectCommand({ Bucket: scratch, Key: 'a/b.txt' }));
        expect(await object.Body?.transformToString()).toBe('hello');
      } finally {
        client.destroy();
      }
    },
    TIMEOUT_MS,
  );
});
