import { Admin, murmur2 } from '@platformatic/kafka';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PrintedRecord } from '../../local/lab/console/consume';
import type { GroupView } from '../../local/lab/console/groups';
import type { TopicView } from '../../local/lab/console/topics';
import { PROJECT_ROOT } from '../../local/runtime/paths';
import { e2eEnvironment } from '../support/e2e-env';
import { runScript, type ScriptRun } from '../support/npm-script';

/**
 * `npm run kafka` as a person runs it, in a child process, against the real broker: the sample
 * CSVs streamed in with `produce` and read back with `consume`. Scratch topics keep the pipeline's
 * consumers (which would charge the sample orders) out of it.
 */
const env = e2eEnvironment();
const TIMEOUT_MS = 180_000;
const PARTITIONS = 6;
const SAMPLES = join(PROJECT_ROOT, 'events', 'samples');

type Run = ScriptRun;

function kafka(...args: string[]): Promise<Run> {
  return kafkaWithInput(undefined, ...args);
}

function kafkaWithInput(input: string | undefined, ...args: string[]): Promise<Run> {
  return runScript('kafka', [...args, '--bootstrap', env.kafkaBootstrap], input);
}

const jsonLines = <T>(text: string): T[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

/** The sample's rows, read here with a plain split (its cells hold no commas or quotes): text columns, empty cells left out. */
function plainCsvRows(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(join(SAMPLES, file), 'utf8').trim().split('\n');
  const fields = header!.split(',');
  return rows.map((row) =>
    Object.fromEntries(row.split(',').flatMap((cell, i) => (cell === '' ? [] : [[fields[i]!, cell]]))),
  );
}

/** Where the Java client puts a key: murmur2 (pinned to Kafka's vectors in the unit tests), positive, modulo the partitions. */
const javaPartition = (key: string) => (murmur2(Buffer.from(key), false) & 0x7fffffff) % PARTITIONS;

describe('npm run kafka on the real broker', () => {
  const admin = new Admin({ clientId: 'e2e-console', bootstrapBrokers: [env.kafkaBootstrap] });
  const topics: string[] = [];
  const scratchTopic = async () => {
    const topic = `e2e-console-${randomUUID()}`;
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
    topics.push(topic);
    return topic;
  };

  afterAll(async () => {
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.close();
  });

  it(
    'GIVEN the clicks sample WHEN produced keyed by user_id and consumed with --max --json THEN every row comes back once, on the Java partition of its key, in file order per user',
    async () => {
      const topic = await scratchTopic();
      const rows = plainCsvRows('clicks.csv');

      const produced = await kafka('produce', topic, '--csv', join(SAMPLES, 'clicks.csv'), '--key-field', 'user_id');
      expect(produced).toMatchObject({ code: 0 });
      expect(produced.stderr).toContain(`Produced ${rows.length} records to ${topic}`);

      const consumed = await kafka('consume', topic, '--from-beginning', '--max', String(rows.length), '--json');
      expect(consumed).toMatchObject({ code: 0 });
      const records = jsonLines<PrintedRecord>(consumed.stdout);

      expect(records).toHaveLength(rows.length);
      for (const record of records) {
        expect(record.partition).toBe(javaPartition(record.key!));
        expect(record.key).toBe((record.value as { user_id: string }).user_id);
      }
      // Per user, the clicks are in the file's order (one partition per key keeps it).
      const byUser = (clicks: readonly unknown[]) => {
        const users: Record<string, unknown[]> = {};
        for (const click of clicks) (users[(click as { user_id: string }).user_id] ??= []).push(click);
        return users;
      };
      const read = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset).map((r) => r.value);
      expect(byUser(read)).toEqual(byUser(rows));
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN the orders sample WHEN produced keyed by order_id THEN typed columns arrive as JSON numbers and arrays',
    async () => {
      const topic = await scratchTopic();
      const lines = readFileSync(join(SAMPLES, 'orders.csv'), 'utf8').trim().split('\n').length - 1;

      expect(
        await kafka('produce', topic, '--csv', join(SAMPLES, 'orders.csv'), '--key-field', 'order_id'),
      ).toMatchObject({ code: 0 });
      const consumed = await kafka('consume', topic, '--from-beginning', '--max', String(lines), '--json');
      const records = jsonLines<PrintedRecord>(consumed.stdout);

      expect(records).toHaveLength(lines);
      const first = records.find((r) => r.key === 'csv-order-001')!;
      expect(first.partition).toBe(javaPartition('csv-order-001'));
      expect(first.value).toEqual({
        order_id: 'csv-order-001',
        user_id: 'u-106',
        items: [{ product_id: 'ghi', quantity: 3, unit_price: 5.25 }],
        amount: 15.75,
        currency: 'USD',
        payment_method: 'credit_card',
        timestamp: '2026-11-28T12:05:29Z',
      });
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN a consumer group WHEN it reads 10 records, then the rest THEN it resumes after what it printed, and groups and topics show it caught up',
    async () => {
      const topic = await scratchTopic();
      const group = `e2e-console-${randomUUID()}`;
      const total = plainCsvRows('clicks.csv').length;
      expect(await kafka('produce', topic, '--csv', join(SAMPLES, 'clicks.csv'))).toMatchObject({ code: 0 });

      const first = jsonLines<PrintedRecord>(
        (await kafka('consume', topic, '--group', group, '--from-beginning', '--max', '10', '--json')).stdout,
      );
      const rest = jsonLines<PrintedRecord>(
        (await kafka('consume', topic, '--group', group, '--from-beginning', '--json')).stdout,
      );

      expect(first).toHaveLength(10);
      const seen = [...first, ...rest].map((r) => `${r.partition}@${r.offset}`);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toHaveLength(total);

      const groups = jsonLines<GroupView[]>((await kafka('groups', '--json')).stdout)[0]!;
      const view = groups.find((g) => g.group === group)!;
      expect(view.totalLag).toBe(0);
      expect(view.partitions.reduce((sum, p) => sum + p.end, 0)).toBe(total);
      const listed = jsonLines<TopicView[]>((await kafka('topics', '--json')).stdout)[0]!;
      expect(listed.find((t) => t.topic === topic)).toMatchObject({ partitions: PARTITIONS, records: total });
    },
    TIMEOUT_MS,
  );

  it(
    "GIVEN key<TAB>value lines on stdin WHEN produced THEN each record has its key and lands on its key's partition",
    async () => {
      const topic = await scratchTopic();
      const input = ['alpha\t{"n":1}', '{"n":2}', 'beta\t{"n":3}', ''].join('\n');

      expect(await kafkaWithInput(input, 'produce', topic)).toMatchObject({ code: 0 });
      const records = jsonLines<PrintedRecord>((await kafka('consume', topic, '--from-beginning', '--json')).stdout);

      const keyed = records.filter((r) => r.key !== null).sort((a, b) => a.key!.localeCompare(b.key!));
      expect(keyed.map((r) => [r.key, r.partition, r.value])).toEqual([
        ['alpha', javaPartition('alpha'), { n: 1 }],
        ['beta', javaPartition('beta'), { n: 3 }],
      ]);
      expect(records.filter((r) => r.key === null).map((r) => r.value)).toEqual([{ n: 2 }]);
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN a click that breaks the clicks schema WHEN produced to clicks THEN nothing is sent and the error names the line and field',
    async () => {
      const input = '{"user_id":"u-1","product_id":"abc","timestamp":"yesterday"}\n';
      const run = await kafkaWithInput(input, 'produce', 'clicks');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'line 1: not a valid clicks event: timestamp: Invalid ISO datetime (0 records sent before it)',
      );
    },
    TIMEOUT_MS,
  );

  it(
    'GIVEN a misuse WHEN the command runs THEN it exits 2 with the reason and a pointer to --help',
    async () => {
      const run = await kafka('consume', 'clicks', '--max', 'many');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--max must be a whole number of at least 1, got "many"');
      expect(run.stderr).toContain('npm run kafka -- --help');
    },
    TIMEOUT_MS,
  );
});
