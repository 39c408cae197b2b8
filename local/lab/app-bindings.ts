import { ENV } from '../../lambdas/shared/contracts/environment';
import { FUNCTION_ID_TAG, FUNCTION_IDS } from '../../lambdas/shared/contracts/functions';
import { TABLES, type TableId } from '../../lambdas/shared/contracts/tables';
import {
  MIN_INSYNC_REPLICAS,
  REPLICATION_FACTOR,
  TOPIC_RETENTION_MS,
  TOPICS,
} from '../../lambdas/shared/contracts/topics';
import type { RunnerBindings } from '../runtime/runner';
import type { LocalResources, LocalTable, TopicReplication } from '../runtime/services';

/**
 * This app's names in the local runtime: what the local services create (APP_RESOURCES), and what
 * the generic runner must be told about the app (APP_BINDINGS). The CLI and the tests build the
 * runtime with these; nothing under local/runtime names the app's topics, tables, bucket,
 * variables or functions.
 */

export const LOCAL_ARCHIVE_BUCKET = 'order-pipeline-archive';

/** Local table name of a table in TABLES: its id, e.g. `orders`, `payments`. */
export function localTableName(id: TableId): string {
  return id;
}

const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** The contract's replication, wherever there are enough brokers. */
export const APP_REPLICATION: TopicReplication = {
  replicationFactor: REPLICATION_FACTOR,
  minInsyncReplicas: MIN_INSYNC_REPLICAS,
};

function localTable(id: TableId): LocalTable {
  const table: (typeof TABLES)[TableId] = TABLES[id];
  return {
    name: localTableName(id),
    partitionKey: table.partitionKey,
    stream: table.stream,
    ttlAttribute: 'ttlAttribute' in table ? table.ttlAttribute : undefined,
    index: 'sparseIndex' in table ? table.sparseIndex : undefined,
  };
}

/** Every topic and table of the contracts, and the archive bucket. */
export const APP_RESOURCES: LocalResources = {
  topics: { topics: Object.values(TOPICS), retentionMs: TOPIC_RETENTION_MS, replication: APP_REPLICATION },
  tables: TABLE_IDS.map(localTable),
  bucket: LOCAL_ARCHIVE_BUCKET,
};

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
