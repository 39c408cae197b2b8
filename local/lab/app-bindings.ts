import { ENV } from '../../lambdas/shared/contracts/environment';
import { FUNCTION_ID_TAG, FUNCTION_IDS } from '../../lambdas/shared/contracts/functions';
import { TABLES, type TableId } from '../../lambdas/shared/contracts/tables';
import type { RunnerBindings } from '../runtime/runner';

/**
 * This app's names in the local runtime: the stand-ins the local services create, and what the
 * generic runner must be told about the app (APP_BINDINGS). The CLI and the tests build the runner
 * with these; nothing under runner/ names the app's tables, bucket, variables or functions.
 */

export const LOCAL_ARCHIVE_BUCKET = 'order-pipeline-archive';

/** Local table name of a table in TABLES: its id, e.g. `orders`, `payments`. */
export function localTableName(id: TableId): string {
  return id;
}

const TABLE_IDS = Object.keys(TABLES) as TableId[];

export const APP_BINDINGS: RunnerBindings = {
  functionIdTag: FUNCTION_ID_TAG,
  functionIds: FUNCTION_IDS,
  // Email keeps the template's transport (SES v2, the code that runs in AWS): its SDK calls go through
  // the local AWS gateway to the SES v2 stand-in (local/runtime/services/ses), not to a second adapter.
  // Kafka too: with enforcement on, the functions connect as in AWS (TLS, SASL/OAUTHBEARER signed by
  // the MSK IAM signer with their own credentials) to the broker's MSK IAM listener, under ACLs.
  localEnvironment: ({ kafkaBootstrap, kafkaIam }) => ({
    ...Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].envVar, localTableName(id)])),
    [ENV.kafkaBootstrapServers]: kafkaIam?.bootstrap ?? kafkaBootstrap,
    [ENV.kafkaAuth]: kafkaIam ? 'iam' : 'plaintext',
  }),
  buckets: { [ENV.archiveBucket]: LOCAL_ARCHIVE_BUCKET },
  streamTables: TABLE_IDS.filter((id) => TABLES[id].stream).map((id) => ({
    partitionKey: TABLES[id].partitionKey,
    localName: localTableName(id),
  })),
};
