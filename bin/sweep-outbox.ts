/**
 * `npm run sweep-outbox`: the outbox sweeper run once, locally, as the schedule runs it in AWS:
 * outbox entries no relay marked published for longer than --older-than are published and marked
 * (docs/design.md, "Outbox sweeper"). Against the local cloud a serving `npm run local` announced,
 * or the endpoints given.
 *
 *   npm run sweep-outbox
 *   npm run sweep-outbox -- --older-than 0 --dynamodb http://127.0.0.1:8000 --kafka 127.0.0.1:9092
 *
 * Prints one JSON line (the report) on stdout and a count on stderr. Exits 1 when an entry could not be published.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sweepOutbox } from '../lambdas/outbox-sweeper/sweep-outbox';
import { functionName } from '../lambdas/shared/contracts/functions';
import { KafkaEventPublisher } from '../lambdas/shared/kafka/kafka-publisher';
import { DynamoDbOutboxStore } from '../lambdas/shared/orders/outbox-store';
import { localTableName } from '../local/lab/app-bindings';
import { hostPort, parseOptionsOnly, runCommand, say, UsageError } from '../local/lab/cli';
import { readEndpointsFile } from '../local/lab/console/endpoints';
import { localDynamoDbClient } from '../local/runtime/services';

const USAGE = `Usage: npm run sweep-outbox -- [options]

  --older-than SECONDS  unmarked entries created longer ago than this (default: 600, as in AWS)
  --dynamodb URL        DynamoDB Local's endpoint (default: the serving local cloud's)
  --kafka HOST:PORT     the broker to publish to, plaintext (default: the serving local cloud's)
  --table NAME          the outbox table (default: ${localTableName('outbox')})
  --help                this text`;

interface Options {
  readonly olderThanSeconds: number;
  readonly dynamodb?: string;
  readonly kafka?: string;
  readonly table: string;
}

function parseOptions(argv: readonly string[]): Options {
  const values = parseOptionsOnly(argv, {
    'older-than': { type: 'string', default: '600' },
    dynamodb: { type: 'string' },
    kafka: { type: 'string' },
    table: { type: 'string', default: localTableName('outbox') },
  });
  const olderThanSeconds = Number(values['older-than']);
  if (!Number.isInteger(olderThanSeconds) || olderThanSeconds < 0) {
    throw new UsageError(`--older-than must be a whole number of seconds, got "${values['older-than']}"`);
  }
  return { olderThanSeconds, dynamodb: values.dynamodb, kafka: hostPort('kafka', values.kafka), table: values.table };
}

/** Per run, as in AWS; run again for a larger backlog. */
const SWEEP_LIMIT = 500;

runCommand<Options>({
  name: 'npm run sweep-outbox',
  usage: USAGE,
  parse: parseOptions,
  async run(options, parts) {
    const local = options.dynamodb && options.kafka ? undefined : readEndpointsFile();
    const client = DynamoDBDocumentClient.from(localDynamoDbClient(options.dynamodb ?? local!.dynamodb), {
      marshallOptions: { removeUndefinedValues: true },
    });
    parts.add({ stop: async () => client.destroy() });
    const publisher = new KafkaEventPublisher({
      bootstrapBrokers: [options.kafka ?? local!.kafkaBootstrap],
      auth: 'plaintext',
      clientId: functionName('outboxSweeper'),
    });
    parts.add({ stop: () => publisher.close() });
    const report = await sweepOutbox(
      { outbox: new DynamoDbOutboxStore(client, options.table), publisher, now: () => new Date() },
      { olderThanMs: options.olderThanSeconds * 1000, limit: SWEEP_LIMIT },
    );
    process.stdout.write(`${JSON.stringify(report)}\n`);
    say(
      `${report.found} unmarked outbox entr${report.found === 1 ? 'y' : 'ies'} older than ${options.olderThanSeconds} s: ` +
        `${report.republished.length} re-published and marked, ${report.failed.length} failed`,
    );
    return report.failed.length > 0 ? 1 : 0;
  },
});
