import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Writable } from 'node:stream';
import { DynamoDbPaymentStore } from '../../../../lambdas/billing/adapters/dynamodb-payment-store';
import { SimulatedPaymentProvider } from '../../../../lambdas/billing/adapters/simulated-payment-provider';
import { keyTrustMs } from '../../../../lambdas/billing/claims';
import { reconcileClaims } from '../../../../lambdas/billing/reconcile-claims';
import { sweepOutbox, type SweepReport } from '../../../../lambdas/outbox-sweeper/sweep-outbox';
import { functionName } from '../../../../lambdas/shared/contracts/functions';
import { TOPICS } from '../../../../lambdas/shared/contracts/topics';
import { KafkaEventPublisher } from '../../../../lambdas/shared/kafka/kafka-publisher';
import { DynamoDbOutboxStore } from '../../../../lambdas/shared/orders/outbox-store';
import { localDynamoDbClient, type LocalServices } from '../../../runtime/services';
import { localTableName } from '../../app-bindings';
import { resolveCluster } from '../../console/connection';
import { redrive, type RedriveResult } from '../../console/redrive';
import { waitForConsumers } from '../consumer-lag';
import { waitUntilTerminal } from '../order-progress';
import { KAFKA_CONSUMERS, PROVIDER_FORGETS_KEYS_AFTER_SECONDS } from './plan';
import type { ChaosReport } from './report';

export interface Recovery {
  readonly redrive: ChaosReport['redrive'];
  readonly outboxSweep: ChaosReport['outboxSweep'];
  readonly needsOperator: ChaosReport['needsOperator'];
  /** The orders waited for (operator cases taken out as they are found). */
  readonly waited: ReadonlySet<string>;
  /** Of those, the ones still not terminal. */
  readonly pending: readonly string[];
}

/**
 * After the faults, until nothing is left (at most three rounds): wait for every consumer to reach
 * the end of its topics, re-drive what the mappings gave up, sweep the outbox, list the claims
 * left to an operator, and wait for the orders to be terminal.
 */
export async function recover(
  services: LocalServices,
  orderIds: readonly string[],
  deadline: number,
  log: (line: string) => void,
): Promise<Recovery> {
  const redriven = { listed: 0, republished: 0, alreadyRedriven: 0, missing: 0, rounds: 0 };
  const swept = { found: 0, republished: 0, failed: 0 };
  const waited = new Set(orderIds);
  let pending: readonly string[] = [...waited];
  const needsOperator: { orderId: string; claim: string; status: string }[] = [];
  for (let round = 1; round <= 3 && Date.now() < deadline; round++) {
    log(`Round ${round}: waiting for every consumer to reach the end of its topics...`);
    await waitForConsumers(services.kafkaBootstrap, KAFKA_CONSUMERS, {
      timeoutMs: Math.max(1_000, deadline - Date.now()),
    });
    const result = await redriveGivenUp(services.kafkaBootstrap, log);
    redriven.listed = result.listed;
    redriven.republished += result.republished;
    redriven.alreadyRedriven = result.alreadyRedriven;
    redriven.missing = result.missing;
    redriven.rounds = round;
    const sweep = await sweepOutboxOnce(services.dynamodbEndpoint, services.kafkaBootstrap);
    swept.found += sweep.found;
    swept.republished += sweep.republished.length;
    swept.failed += sweep.failed.length;
    log(
      `  re-drove ${result.republished} given-up records (${result.alreadyRedriven} already), ` +
        `swept ${sweep.republished.length} outbox entries`,
    );
    for (const claim of await claimsForOperator(services.dynamodbEndpoint)) {
      if (needsOperator.some((c) => c.orderId === claim.orderId)) continue;
      needsOperator.push(claim);
      waited.delete(claim.orderId);
      log(`  order ${claim.orderId}: ${claim.claim} claim left to an operator (older than the provider's key)`);
    }
    const terminal = await waitUntilTerminal(services.dynamodbEndpoint, () => [...waited], {
      deadline: Math.min(deadline, Date.now() + 120_000),
      allPlaced: () => true,
      intervalMs: 1_000,
    });
    pending = terminal.pending;
    log(`  ${waited.size - pending.length} of ${waited.size} orders terminal`);
    if (pending.length === 0 && result.republished === 0 && sweep.republished.length === 0) break;
  }
  return { redrive: redriven, outboxSweep: swept, needsOperator, waited, pending };
}

/** `npm run redrive -- --reason RetriesExhausted`, as a library: what the mappings gave up, back to its topics. */
async function redriveGivenUp(bootstrap: string, log: (line: string) => void): Promise<RedriveResult> {
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log(`  redrive: ${line.trim()}`);
      done();
    },
  });
  const cluster = { bootstrap: [bootstrap], iam: false };
  return redrive(
    resolveCluster(cluster),
    {
      mode: 'redrive',
      selection: { reason: 'RetriesExhausted' },
      deadLetterTopic: TOPICS.deadLetter.name,
      cluster,
      json: false,
    },
    { stderr: lines as unknown as NodeJS.WriteStream },
  );
}

/** The outbox sweeper once, with no age threshold: the run's outage is over, anything unmarked goes. */
async function sweepOutboxOnce(dynamodbEndpoint: string, bootstrap: string): Promise<SweepReport> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodbEndpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const publisher = new KafkaEventPublisher({
    bootstrapBrokers: [bootstrap],
    auth: 'plaintext',
    clientId: functionName('outboxSweeper'),
  });
  try {
    return await sweepOutbox(
      { outbox: new DynamoDbOutboxStore(client, localTableName('outbox')), publisher, now: () => new Date() },
      { olderThanMs: 0, limit: 500 },
    );
  } finally {
    await publisher.close();
    client.destroy();
  }
}

/** The reconciler, listing only (`npm run reconcile` without --finish): claims billing will not carry out again. */
async function claimsForOperator(dynamodbEndpoint: string): Promise<ChaosReport['needsOperator']> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodbEndpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  try {
    const report = await reconcileClaims(
      {
        payments: new DynamoDbPaymentStore(client, localTableName('payments')),
        provider: new SimulatedPaymentProvider(),
        publisher: { publish: () => Promise.reject(new Error('the reconciler only lists here')) },
        now: () => new Date(),
        providerKeyTrustMs: keyTrustMs(PROVIDER_FORGETS_KEYS_AFTER_SECONDS * 1000),
      },
      { olderThanMs: 0, finish: false },
    );
    return report
      .filter((c) => c.action === 'needs-operator')
      .map((c) => ({ orderId: c.order_id, claim: c.claim, status: c.status }));
  } finally {
    client.destroy();
  }
}
