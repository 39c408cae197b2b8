import type { MSKRecord } from 'aws-lambda';
import { deadLetterFor } from '../../../../lambdas/shared/kafka/dead-letter';
import {
  countDeadLetters,
  readDeadLetter,
  redriveMark,
  selects,
  type DeadLetterEntry,
} from '../../../../local/lab/console/dead-letters';
import { parseRedriveArgs, planRedrive } from '../../../../local/lab/console/redrive';
import { kafkaFailureMessages } from '../../../../local/runtime/runner/on-failure';

const record = (topic: string, partition: number, offset: number): MSKRecord => ({
  topic,
  partition,
  offset,
  timestamp: 1_764_000_000_000,
  timestampType: 'CREATE_TIME',
  key: Buffer.from('order-1').toString('base64'),
  value: Buffer.from('{"order_id":"order-1"}').toString('base64'),
  headers: [],
});

const message = (value: unknown, offset = 7) => ({
  partition: 2,
  offset,
  timestamp: Date.parse('2026-11-29T10:15:00Z'),
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

const entry = (overrides: Partial<DeadLetterEntry> & { offset?: number } = {}): DeadLetterEntry => ({
  deadLetter: { topic: 'dead_letter', partition: 0, offset: overrides.offset ?? 0 },
  at: '2026-11-29T10:00:00.000Z',
  shape: 'function',
  consumer: 'billing',
  reason: 'schema: amount is missing',
  source: { topic: 'orders', partition: 1, offset: 40 },
  ...overrides,
});

describe('reading dead letters', () => {
  it('GIVEN a DeadLetter event a function wrote WHEN read THEN its consumer, reason and source position come from the event', () => {
    const { event } = deadLetterFor(record('orders', 3, 41), 'billing', 'schema: amount is missing', new Date());

    expect(readDeadLetter('dead_letter', message(event))).toEqual({
      deadLetter: { topic: 'dead_letter', partition: 2, offset: 7 },
      at: '2026-11-29T10:15:00.000Z',
      shape: 'function',
      consumer: 'billing',
      reason: 'schema: amount is missing',
      source: { topic: 'orders', partition: 3, offset: 41 },
    });
  });

  it("GIVEN Lambda's on-failure record for a Kafka destination WHEN read THEN the source is the payload's topic-partition at recordInfo's offset, the consumer the function's name", () => {
    const [failure] = kafkaFailureMessages(
      [record('shipping', 4, 99)],
      { condition: 'RetriesExhausted', approximateInvokeCount: 3, reason: 'x' },
      {
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:pipeline-dev-Shipping',
        now: new Date(),
        source: { eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/c/1', bootstrapServers: 'b:9098' },
        batch: [record('shipping', 4, 99)],
      },
    );

    expect(readDeadLetter('dead_letter', message(failure!.value))).toMatchObject({
      shape: 'lambda',
      consumer: 'pipeline-dev-Shipping',
      reason: 'RetriesExhausted',
      source: { topic: 'shipping', partition: 4, offset: 99 },
    });
  });

  it.each([
    ['not JSON', 'not json{'],
    ['neither a DeadLetter event nor an on-failure record', { event_type: 'OrderCreated' }],
  ])('GIVEN a record that is %s WHEN read THEN it is unreadable, not re-driven', (reason, value) => {
    expect(readDeadLetter('dead_letter', message(value))).toEqual({ unreadable: reason });
  });
});

describe('selecting and counting dead letters', () => {
  const entries = [
    entry({ offset: 0 }),
    entry({ offset: 1, consumer: 'inventory', reason: 'unknown order', at: '2026-11-29T11:30:00.000Z' }),
    entry({ offset: 2, source: { topic: 'shipping', partition: 0, offset: 3 }, at: '2026-11-29T11:45:00.000Z' }),
  ];

  it.each([
    [{}, [0, 1, 2]],
    [{ consumer: 'inventory' }, [1]],
    [{ sourceTopic: 'shipping' }, [2]],
    [{ reason: 'AMOUNT' }, [0, 2]],
    [{ since: new Date('2026-11-29T11:30:00Z') }, [1, 2]],
    [{ consumer: 'billing', since: new Date('2026-11-29T11:00:00Z') }, [2]],
  ])('GIVEN the selection %p WHEN applied THEN it keeps dead letters %p', (selection, expected) => {
    expect(entries.filter((e) => selects(selection, e)).map((e) => e.deadLetter.offset)).toEqual(expected);
  });

  it('GIVEN dead letters WHEN counted THEN they are tallied by consumer, source topic, reason and hour, largest first', () => {
    expect(countDeadLetters(entries, 1)).toEqual({
      total: 3,
      unreadable: 1,
      byConsumer: { billing: 2, inventory: 1 },
      byReason: { 'schema: amount is missing': 2, 'unknown order': 1 },
      bySourceTopic: { orders: 2, shipping: 1 },
      byHour: { '2026-11-29T10': 1, '2026-11-29T11': 2 },
      first: '2026-11-29T10:00:00.000Z',
      last: '2026-11-29T11:45:00.000Z',
    });
  });
});

describe('planning a re-drive', () => {
  const originals = new Set(['orders/1/40', 'shipping/0/3']);

  it('GIVEN two dead letters of one source record WHEN planned THEN it is re-published once, naming both', () => {
    const twice = [entry({ offset: 0 }), entry({ offset: 5, shape: 'lambda' })];

    const plan = planRedrive(twice, originals, new Set());

    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ action: 'republish', source: { topic: 'orders', partition: 1, offset: 40 } });
    expect(plan[0]!.deadLetters.map(redriveMark)).toEqual(['dead_letter/0/0', 'dead_letter/0/5']);
  });

  it('GIVEN a dead letter whose mark is on a re-driven record WHEN planned again THEN it is skipped as already re-driven', () => {
    const done = entry({ offset: 0 });
    const fresh = entry({ offset: 2, source: { topic: 'shipping', partition: 0, offset: 3 } });

    const plan = planRedrive([done, fresh], originals, new Set([redriveMark(done)]));

    expect(plan.map((p) => p.action)).toEqual(['already-redriven', 'republish']);
  });

  it('GIVEN a source record past its retention WHEN planned THEN it is reported missing, not published', () => {
    const gone = entry({ source: { topic: 'orders', partition: 1, offset: 2 } });

    expect(planRedrive([gone], originals, new Set()).map((p) => p.action)).toEqual(['missing']);
  });
});

describe('npm run redrive arguments', () => {
  it('GIVEN filters and a mode WHEN parsed THEN they become the selection', () => {
    expect(
      parseRedriveArgs(['--dry-run', '--consumer', 'billing', '--reason', 'schema', '--since', '2026-11-29T10:00Z']),
    ).toMatchObject({
      mode: 'dry-run',
      deadLetterTopic: 'dead_letter',
      selection: { consumer: 'billing', reason: 'schema', since: new Date('2026-11-29T10:00:00Z') },
      cluster: { iam: false },
    });
  });

  it.each([
    [['--list', '--dry-run'], /exclusive/],
    [['--since', 'yesterday'], /ISO 8601/],
    [['--iam'], /--iam needs --bootstrap/],
    [['orders'], /takes no argument/],
  ])('GIVEN %p WHEN parsed THEN a usage error says %p', (argv, message) => {
    expect(() => parseRedriveArgs(argv, {})).toThrow(message);
  });
});
