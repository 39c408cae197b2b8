import { Admin, Consumer, MessagesStreamModes, ProduceAcks, Producer, stringSerializers } from '@platformatic/kafka';
import type { MSKRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { deadLetterFor } from '../../lambdas/shared/kafka/dead-letter';
import { partitionOffsets } from '../../local/lab/console/cluster-views';
import type { RedriveResult } from '../../local/lab/console/redrive';
import { kafkaFailureMessages } from '../../local/runtime/runner/on-failure';
import { e2eEnvironment } from '../support/e2e-env';
import { runScript, type ScriptRun } from '../support/npm-script';

/**
 * `npm run redrive` as an operator runs it, in a child process, against the real broker: one
 * record dead-lettered by a function (with a truncated copy, as a bounded dead letter carries) and
 * one given up by Lambda (its on-failure record), both re-driven from their source topic, twice.
 * Scratch topics keep the pipeline's consumers and its dead letters out of it.
 */
const env = e2eEnvironment();
// Five runs of the tool, each a child process joining consumer groups on a loaded machine.
const TIMEOUT_MS = 360_000;

function redrive(...args: string[]): Promise<ScriptRun> {
  return runScript('redrive', [...args, '--bootstrap', env.kafkaBootstrap]);
}

const client = { bootstrapBrokers: [env.kafkaBootstrap] };

async function readAll(topic: string, count: number) {
  const consumer = new Consumer({ ...client, clientId: 'e2e-redrive-reader', groupId: `e2e-redrive-${randomUUID()}` });
  const records: { partition: number; offset: number; key: string; value: string; headers: Record<string, string> }[] =
    [];
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, maxWaitTime: 200 });
    const deadline = setTimeout(() => void stream.close(), 30_000);
    for await (const m of stream) {
      records.push({
        partition: m.partition,
        offset: Number(m.offset),
        key: m.key.toString('utf8'),
        value: m.value.toString('utf8'),
        headers: Object.fromEntries(m.headerEntries.map(([k, v]) => [k.toString('utf8'), v.toString('utf8')])),
      });
      if (records.length >= count) break;
    }
    clearTimeout(deadline);
    await stream.close();
  } finally {
    await consumer.close(true);
  }
  return records;
}

describe('npm run redrive on the real broker', () => {
  const admin = new Admin({ ...client, clientId: 'e2e-redrive' });
  const producer = new Producer({
    ...client,
    clientId: 'e2e-redrive',
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers: stringSerializers,
  });
  const topics: string[] = [];

  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await Promise.all([admin.close(), producer.close()]);
  });

  it(
    'GIVEN a poison record dead-lettered by a function and a record Lambda gave up on WHEN re-driven twice THEN each original is re-published once, whole, to its partition',
    async () => {
      const [source, deadLetters] = [`e2e-redrive-src-${randomUUID()}`, `e2e-redrive-dl-${randomUUID()}`];
      await admin.createTopics({ topics: [source], partitions: 3, replicas: 1 });
      await admin.createTopics({ topics: [deadLetters], partitions: 1, replicas: 1 });
      topics.push(source, deadLetters);

      // Two originals on the source topic: one poison, one a transient failure Lambda gave up on.
      const originals = [
        { key: 'order-poison', value: JSON.stringify({ order_id: 'order-poison', filler: 'x'.repeat(5000) }) },
        { key: 'order-given-up', value: JSON.stringify({ order_id: 'order-given-up' }) },
      ];
      const written = await producer.send({
        messages: originals.map((o, i) => ({ topic: source, partition: i + 1, key: o.key, value: o.value })),
      });
      const offsets = written.offsets!.map((o) => Number(o.offset));
      const asDelivered = (i: number): MSKRecord => ({
        topic: source,
        partition: i + 1,
        offset: offsets[i]!,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(originals[i]!.key).toString('base64'),
        value: Buffer.from(originals[i]!.value).toString('base64'),
        headers: [],
      });

      // The functions' own dead letter, carrying only a prefix of the record; Lambda's on-failure record.
      const own = deadLetterFor(asDelivered(0), 'billing', 'schema: amount is missing', new Date());
      const ownEvent = own.event as { source: { value: string } };
      ownEvent.source.value = Buffer.from(originals[0]!.value.slice(0, 40)).toString('base64');
      const [lambdaRecord] = kafkaFailureMessages(
        [asDelivered(1)],
        { condition: 'RetriesExhausted', approximateInvokeCount: 3, reason: 'retries exhausted' },
        {
          functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:order-pipeline-dev-Shipping',
          now: new Date(),
          source: { eventSourceArn: 'arn:aws:kafka:local', bootstrapServers: env.kafkaBootstrap },
          batch: [asDelivered(1)],
        },
      );
      await producer.send({
        messages: [
          { topic: deadLetters, key: own.key!, value: JSON.stringify(own.event) },
          { topic: deadLetters, key: lambdaRecord!.key!.toString('utf8'), value: lambdaRecord!.value },
        ],
      });

      const listed = await redrive('--list', '--topic', deadLetters, '--json');
      expect(listed.code).toBe(0);
      const list = JSON.parse(listed.stdout) as RedriveResult;
      expect(list.listed).toBe(2);
      expect(list.selected.byConsumer).toEqual({ billing: 1, 'order-pipeline-dev-Shipping': 1 });
      expect(list.selected.bySourceTopic).toEqual({ [source]: 2 });

      const dry = JSON.parse((await redrive('--dry-run', '--topic', deadLetters, '--json')).stdout) as RedriveResult;
      expect(dry).toMatchObject({ republished: 2, alreadyRedriven: 0, missing: 0 });

      const first = await redrive('--topic', deadLetters, '--json');
      const second = await redrive('--topic', deadLetters, '--json');

      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ republished: 2, alreadyRedriven: 0 });
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ republished: 0, alreadyRedriven: 2 });
      // The dry run published nothing and the second run nothing more: two originals, two re-driven copies.
      const ends = (await partitionOffsets(admin, new Map([[source, 3]]), 'latest')).get(source)!;
      expect(ends.reduce((a, b) => a + b, 0)).toBe(4);
      const records = await readAll(source, 4);
      const redriven = records.filter((r) => r.headers['redriven-from']);
      expect(redriven.map((r) => [r.partition, r.key, r.value, r.headers['redriven-from']]).sort()).toEqual(
        [
          [1, originals[0]!.key, originals[0]!.value, `${deadLetters}/0/0`],
          [2, originals[1]!.key, originals[1]!.value, `${deadLetters}/0/1`],
        ].sort(),
      );
    },
    TIMEOUT_MS,
  );
});
