/**
 * `npm run reconcile`: the payment ledger's charge and refund claims that no delivery completed,
 * listed, with --finish carried out when the provider still knows their idempotency key, and with
 * --resolve settled from an operator's finding at the provider (docs/design.md, "Reconciler").
 *
 *   npm run reconcile -- --dynamodb http://127.0.0.1:8000 --older-than 15
 *   npm run reconcile -- --dynamodb http://127.0.0.1:8000 --kafka 127.0.0.1:9092 --finish
 *   npm run reconcile -- --dynamodb http://127.0.0.1:8000 --kafka 127.0.0.1:9092 --resolve ORDER_ID none
 *
 * Prints a line per claim (or one JSON document with --json) on stdout. Exits 0, or 1 when a claim
 * needs an operator or failed, or a resolution was refused.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPaymentStore } from '../lambdas/billing/adapters/dynamodb-payment-store';
import { SIMULATED_PROVIDER_LOG_MESSAGE } from '../lambdas/billing/adapters/simulated-payment-provider';
import { simulatedProviderSettingsFromEnv } from '../lambdas/billing/config';
import { billingPaymentProvider } from '../lambdas/billing/provider';
import { functionName } from '../lambdas/shared/contracts/functions';
import { KafkaEventPublisher } from '../lambdas/shared/kafka/kafka-publisher';
import type { EventPublisher } from '../lambdas/shared/kafka/publisher';
import { runCommand } from '../local/lab/cli';
import {
  formatReconcile,
  parseReconcileArgs,
  RECONCILE_USAGE,
  runReconcile,
  type ReconcileCliOptions,
} from '../local/lab/console/reconcile';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/runtime/endpoints';

/** Without --finish or --resolve nothing is published; a publish then would be a bug, so it fails loudly. */
const noPublishing: EventPublisher = {
  publish: () => Promise.reject(new Error('nothing is published without --finish or --resolve')),
};

runCommand<ReconcileCliOptions>({
  name: 'npm run reconcile',
  usage: RECONCILE_USAGE,
  parse: parseReconcileArgs,
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
    // Billing's own provider settings; its statement goes to stderr as billing logs it.
    const billing = billingPaymentProvider({ simulatedProvider: simulatedProviderSettingsFromEnv() }, (entry) =>
      process.stderr.write(`${JSON.stringify({ message: SIMULATED_PROVIDER_LOG_MESSAGE, ...entry })}\n`),
    );
    const result = await runReconcile(options, {
      payments: new DynamoDbPaymentStore(client, options.table),
      billing,
      publisher,
      now: () => new Date(),
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(result)}\n` : formatReconcile(result, options.olderThanMinutes),
    );
    return result.exitCode;
  },
});
