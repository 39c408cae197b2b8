import { Admin, ProduceAcks, Producer } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { committedOffsets, endOffsets, readTopic } from '../../local/lab/demo/kafka-inspect';
import { APP_BINDINGS } from '../../local/lab/app-bindings';
import { loadAssembly, startRunner, type Assembly, type Runner } from '../../local/runtime/runner';
import { e2eEnvironment } from '../support/e2e-env';

/**
 * The runner's Kafka event source mapping on the real broker, with a stand-in function whose
 * records say whether they fail (test/support/fixtures/runner-assembly): filtering, partial batch responses,
 * retries, the on-failure topic, offset commits, and resuming after a restart. Each test uses its
 * own topics and consumer group, so it shares the broker with the other e2e tests safely.
 */
const env = e2eEnvironment();
const FIXTURE = join(__dirname, '..', 'support', 'fixtures', 'runner-assembly');
const TIMEOUT_MS = 90_000;

interface Scratch {
  readonly topic: string;
  readonly dlq: string;
  readonly groupId: string;
  readonly assembly: Assembly;
}

/** The fixture's billing_outcome mapping moved to fresh topics (3 partitions) and a fresh group. */
async function scratch(): Promise<Scratch> {
  const id = randomUUID().slice(0, 8);
  const topic = `runner-e2e-${id}`;
  const dlq = `runner-e2e-${id}-failed`;
  const admin = new Admin({ clientId: 'runner-e2e', bootstrapBrokers: [env.kafkaBootstrap] });
  try {
    await admin.createTopics({ topics: [topic, dlq], partitions: 3, replicas: 1 });
  } finally {
    await admin.close();
  }
  const fixture = await loadAssembly(FIXTURE, APP_BINDINGS);
  const mapping = fixture.kafkaMappings.find((m) => m.topic === 'billing_outcome')!;
  const groupId = `runner-e2e-${id}`;
  return {
    topic,
    dlq,
    groupId,
    assembly: {
      ...fixture,
      functions: fixture.functions.map((f) => ({
        ...f,
        environment: { ...f.environment, KAFKA_PARTIAL_BATCH_RESPONSE: 'true' },
      })),
      kafkaMappings: [{ ...mapping, topic, consumerGroupId: groupId, onFailure: { type: 'kafka', topic: dlq } }],
      streamMappings: [],
    },
  };
}

/**
 * Idempotent, so that a send retried on a busy broker never writes a record twice: the tests
 * name the offsets they expect.
 */
async function produce(topic: string, records: { partition: number; key: string; value: string | null }[]) {
  const producer = new Producer({
    clientId: 'runner-e2e',
    bootstrapBrokers: [env.kafkaBootstrap],
    idempotent: true,
    acks: ProduceAcks.ALL,
  });
  try {
    await producer.send({
      messages: records.map((r) => ({
        topic,
        partition: r.partition,
        key: Buffer.from(r.key),
        value: r.value === null ? undefined : Buffer.from(r.value),
        headers: new Map([[Buffer.from('source'), Buffer.from('runner-e2e')]]),
      })),
    });
  } finally {
    await producer.close();
  }
}

/** A runner whose function's "record" log lines are collected as `partition@offset`. */
async function runner(assembly: Assembly): Promise<{ runner: Runner; delivered: string[] }> {
  const delivered: string[] = [];
  const started = await startRunner({
    assembly,
    endpoints: env,
    // The fixture is a hand-written template with no cluster and no IAM grants, so under enforcement
    // its mapping could not connect, as in AWS. This file proves the mapping's semantics; IAM, routes
    // and the Kafka ACLs derived from the roles are proved on the synthesized app (enforcement.test.ts).
    enforce: false,
    retryBackoff: { baseMs: 10, maxMs: 50 },
    log: (line) => {
      const match = /^\[billing\] (\{"message":"record".*\})$/.exec(line);
      if (match) {
        const { partition, offset } = JSON.parse(match[1]) as { partition: string; offset: number };
        delivered.push(`${partition}@${offset}`);
      }
    },
  });
  return { runner: started, delivered };
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function allCommitted(scratchTopic: Scratch): Promise<boolean> {
  const ends = (await endOffsets(env.kafkaBootstrap, [scratchTopic.topic])).get(scratchTopic.topic)!;
  const committed = (await committedOffsets(env.kafkaBootstrap, [scratchTopic.groupId])).get(scratchTopic.groupId);
  return ends.every((end, partition) => (committed?.get(`${scratchTopic.topic}-${partition}`) ?? 0) === end);
}

const paid = (extra: object = {}) => JSON.stringify({ event_type: 'BillingOutcome', payment_status: 'paid', ...extra });

describe('the local runner on a real broker', () => {
  let running: Runner | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it(
    'GIVEN filters, partial batch responses, retries and an on-failure topic WHEN records arrive THEN each is filtered, processed, retried or sent to the topic as Lambda would, and every offset is committed',
    async () => {
      const s = await scratch();
      const started = await runner(s.assembly);
      running = started.runner;
      const t = s.topic;

      await produce(t, [
        { partition: 0, key: 'a', value: paid() }, // a0: processed
        { partition: 0, key: 'a', value: JSON.stringify({ payment_status: 'declined' }) }, // a1: filtered out
        { partition: 0, key: 'a', value: paid({ fail: 'once' }) }, // a2: fails once, then processed
        { partition: 1, key: 'b', value: paid({ fail: 'always' }) }, // b0: exhausts its retries
        { partition: 1, key: 'b', value: paid() }, // b1: behind b0 in its partition
        { partition: 2, key: 'c', value: 'not json' }, // c0: unfiltered (format mismatch), reaches the function
        { partition: 2, key: 'c', value: null }, // c1: a tombstone, reaches the function
      ]);
      await until(() => allCommitted(s), 60_000, 'every offset committed');

      const { delivered } = started;
      expect(delivered).not.toContain(`${t}-0@1`);
      expect(delivered.filter((d) => d === `${t}-0@0`)).toHaveLength(1);
      expect(delivered.filter((d) => d === `${t}-0@2`)).toHaveLength(2);
      expect(delivered).toEqual(expect.arrayContaining([`${t}-2@0`, `${t}-2@1`]));
      // MaximumRetryAttempts 3: the first attempt and three retries.
      expect(delivered.filter((d) => d === `${t}-1@0`)).toHaveLength(4);
      // Order within a partition: 0@2 never before 0@0.
      expect(delivered.indexOf(`${t}-0@0`)).toBeLessThan(delivered.indexOf(`${t}-0@2`));

      // Lambda resumes a partition at its lowest failed offset, so b1 was retried and given up with b0.
      const failed = await readTopic(env.kafkaBootstrap, s.dlq);
      expect(failed.map((r) => r.key)).toEqual(['b', 'b']);
      const documents = failed.map((r) => JSON.parse(r.value!));
      expect(documents.map((d) => d.KafkaBatchInfo.recordInfo.offset).sort()).toEqual(['0', '1']);
      expect(documents[0]).toMatchObject({
        requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 4 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST' },
        version: '1.0',
        KafkaBatchInfo: { bootstrapServers: env.kafkaBootstrap },
        payload: { eventSource: 'aws:kafka', records: { [`${t}-1`]: [expect.objectContaining({ topic: t })] } },
      });
      const original = documents.find((d) => d.KafkaBatchInfo.recordInfo.offset === '0').payload.records[`${t}-1`][0];
      expect(Buffer.from(original.value, 'base64').toString()).toBe(paid({ fail: 'always' }));
      expect(original.headers).toEqual([{ source: [...Buffer.from('runner-e2e')] }]);

      expect(running.stats().mappings[0]).toMatchObject({
        topic: t,
        groupId: s.groupId,
        committedOffsets: 7,
        deadLettered: 2,
        filteredOut: 1,
      });
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN a runner stopped after committing WHEN a new runner starts on the same group THEN it resumes after the committed offsets',
    async () => {
      const s = await scratch();
      const first = await runner(s.assembly);
      running = first.runner;
      await produce(s.topic, [
        { partition: 0, key: 'a', value: paid() },
        { partition: 1, key: 'b', value: paid() },
      ]);
      await until(() => allCommitted(s), 60_000, 'the first records committed');
      await first.runner.stop();

      const second = await runner(s.assembly);
      running = second.runner;
      await produce(s.topic, [{ partition: 0, key: 'a', value: paid() }]);
      await until(() => allCommitted(s), 60_000, 'the new record committed');

      expect(first.delivered.sort()).toEqual([`${s.topic}-0@0`, `${s.topic}-1@0`]);
      expect(second.delivered).toEqual([`${s.topic}-0@1`]);
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN a batch in flight WHEN the runner stops THEN it stops at once, leaves the batch uncommitted, and the next runner delivers it again',
    async () => {
      const s = await scratch();
      const first = await runner(s.assembly);
      running = first.runner;
      await produce(s.topic, [{ partition: 0, key: 'a', value: paid({ sleepMs: 20_000 }) }]);
      await until(() => first.delivered.length > 0, 30_000, 'the slow record delivered');

      const stopping = Date.now();
      await first.runner.stop();
      const stopMs = Date.now() - stopping;
      const committedAfterStop = (await committedOffsets(env.kafkaBootstrap, [s.groupId])).get(s.groupId);

      const second = await runner(s.assembly);
      running = second.runner;
      await until(() => second.delivered.length > 0, 30_000, 'the record delivered again');

      expect(stopMs).toBeLessThan(5_000);
      expect(committedAfterStop?.get(`${s.topic}-0`) ?? -1).toBeLessThanOrEqual(0);
      expect(second.delivered).toEqual([`${s.topic}-0@0`]);
    },
    TIMEOUT_MS,
  );
});
