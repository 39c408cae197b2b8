import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/shared/contracts/environment';
import type { StageConfig } from './config';
import { OUTBOX_RELAY_BATCHING } from './latency-budget';

/** The logical id of the relay's mapping on the outbox table's stream. */
export const OUTBOX_RELAY_MAPPING_ID = 'OutboxRelayStreamMapping';

/** How often the outbox sweeper runs, and how old an unmarked entry must be for it to re-publish it. */
export const OUTBOX_SWEEP = { every: Duration.minutes(5), afterSeconds: 600 } as const;

export interface OutboxRelayProps {
  readonly config: StageConfig;
  readonly relay: lambda.Function;
  readonly outbox: dynamodb.ITable;
  /** On-failure destination of the relay's mapping (in the data stack: it outlives the services stack). */
  readonly failureQueue: sqs.IQueue;
}

/**
 * The relay reads the outbox table's stream and publishes each new entry; what its mapping gives
 * up on goes to the failure queue, and the entry stays in the table for the sweeper.
 */
export function addOutboxRelay({ config, relay, outbox, failureQueue }: OutboxRelayProps): lambda.EventSourceMapping {
  if (!outbox.tableStreamArn) throw new Error(`The outbox table ${outbox.node.path} has no stream for the relay`);
  const mapping = relay.addEventSourceMapping(OUTBOX_RELAY_MAPPING_ID, {
    eventSourceArn: outbox.tableStreamArn,
    startingPosition: lambda.StartingPosition.TRIM_HORIZON,
    ...OUTBOX_RELAY_BATCHING,
    // Only new outbox items are events to publish; TTL deletions (REMOVE) are not.
    filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT') })],
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    retryAttempts: config.mappings.retryAttempts,
    // The failure record names the stream shard and sequence numbers; the item itself stays in
    // the outbox table until its TTL, so it can be re-published from there.
    onFailure: new sources.SqsDlq(failureQueue),
  });
  (mapping.node.defaultChild as lambda.CfnEventSourceMapping).overrideLogicalId(OUTBOX_RELAY_MAPPING_ID);
  outbox.grantStreamRead(relay);
  Validations.of(relay).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray (no resource-level permissions) and dynamodb:ListStreams, which DynamoDB only authorises on Resource "*"; reading the stream itself is scoped to the outbox stream ARN.',
  });
  return mapping;
}

/**
 * The sweeper runs every five minutes and re-publishes entries unmarked for ten: far beyond the
 * relay's normal lag (seconds), so it acts only on what the relay's mapping gave up on or lost.
 */
export function scheduleOutboxSweeper(scope: Construct, sweeper: lambda.Function): events.Rule {
  sweeper.addEnvironment(ENV.outboxSweepAfterSeconds, String(OUTBOX_SWEEP.afterSeconds));
  return new events.Rule(scope, 'OutboxSweeperSchedule', {
    description: 'Re-publishes outbox entries that no relay marked published',
    schedule: events.Schedule.rate(OUTBOX_SWEEP.every),
    // A missed run is covered by the next one five minutes later: no retries, no queue.
    targets: [new targets.LambdaFunction(sweeper, { retryAttempts: 0 })],
  });
}
