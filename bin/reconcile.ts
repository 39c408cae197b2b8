/**
 * `npm run reconcile`: the payment ledger's charge and refund claims that no delivery completed,
 * listed, and with --finish carried out when the provider still knows their idempotency key
 * (docs/design.md, "Reconciler").
 *
 *   npm run reconcile -- --dynamodb http://127.0.0.1:8000 --older-than 15
 *   npm run reconcile -- --dynamodb http://127.0.0.1:8000 --kafka 127.0.0.1:9092 --finish
 *
 * Prints one JSON line per claim on stdout and a count on stderr. Exits 0, or 1 when a claim needs
 * an operator (beyond the provider's key lifetime: only the provider can tell whether money moved).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseArgs } from 'node:util';
import { DynamoDbPaymentStore } from '../lambdas/billing/adapters/dynamodb-payment-store';
import { SimulatedPaymentProvider } from '../lambdas/billing/adapters/simulated-payment-provider';
import { reconcileClaims } from '../lambdas/billing/reconcile-claims';
import { functionName } from '../lambdas/shared/contracts/functions';
import { KafkaEventPublisher } from '../lambdas/shared/kafka/kafka-publisher';
import type { EventPublisher } from '../lambdas/shared/kafka/publisher';
import { localTableName } from '../local/app-bindings';
import { hostPort, runCommand, say, UsageError } from '../local/cli';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/endpoints';

const USAGE = `Usage: npm run reconcile -- --dynamodb URL [options]

  --dynamodb URL        DynamoDB Local's endpoint, e.g. http://127.0.0.1:8000
  --table NAME          the payments table (default: ${localTableName('payments')})
  --older-than MINUTES  claims requested longer ago than this (default: 15)
  --finish              carry out the claims still inside the provider's key lifetime; needs --kafka
  --kafka HOST:PORT     the broker the finished outcomes are published to (plaintext)
  --help                this text`;

interface Options {
  readonly dynamodb: string;
  readonly table: string;
  readonly olderThanMinutes: number;
  readonly finish: boolean;
  readonly kafka?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      dynamodb: { type: 'string' },
      table: { type: 'string', default: localTableName('payments') },
      'older-than': { type: 'string', default: '15' },
      finish: { type: 'boolean', default: false },
      kafka: { type: 'string' },
    },
  });
  if (!values.dynamodb) throw new UsageError('Give --dynamodb.');
  const olderThanMinutes = Number(values['older-than']);
  if (!Number.isFinite(olderThanMinutes) || olderThanMinutes < 0) {
    throw new UsageError(`--older-than must be a number of minutes, got "${values['older-than']}"`);
  }
  const kafka = hostPort('kafka', values.kafka);
  if (values.finish && !kafka) throw new UsageError('--finish publishes the outcomes: give --kafka.');
  return { dynamodb: values.dynamodb, table: values.table, olderThanMinutes, finish: values.finish, kafka };
}

/** Without --finish nothing is published; a publish then would be a bug, so it fails loudly. */
const noPublishing: EventPublisher = {
  publish: () => Promise.reject(new Error('nothing is published without --finish')),
};

runCommand<Options>({
  name: 'npm run reconcile',
  usage: USAGE,
  parse: parseOptions,
  async run(options, parts) {
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: options.dynamodb, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    parts.add({ stop: async () => client.destroy() });
    let publisher: EventPublisher = noPublishing;
    if (options.kafka) {
      const kafka = new KafkaEventPublisher({
        bootstrapBrokers: [options.kafka],
        auth: 'plaintext',
        clientId: `${functionName('billing')}-reconciler`,
      });
      parts.add({ stop: () => kafka.close() });
      publisher = kafka;
    }
    const report = await reconcileClaims(
      {
        payments: new DynamoDbPaymentStore(client, options.table),
        provider: new SimulatedPaymentProvider(),
        publisher,
        now: () => new Date(),
      },
      { olderThanMs: options.olderThanMinutes * 60_000, finish: options.finish },
    );
    for (const claim of report) process.stdout.write(`${JSON.stringify(claim)}\n`);
    const count = (action: string) => report.filter((c) => c.action === action).length;
    say(
      `${report.length} open claim(s) older than ${options.olderThanMinutes} min: ` +
        `${count('finished')} finished, ${count('listed')} listed, ${count('needs-operator')} need an operator`,
    );
    return count('needs-operator') > 0 ? 1 : 0;
  },
});
