import { TABLES, type TableId } from '../lambdas/shared/contracts/tables';

export { FUNCTION_ID_TAG } from '../lambdas/shared/contracts/subscriptions';

/**
 * Names of the local stand-ins for the AWS resources. The local services create them, the local
 * runner passes them to the functions in place of the deployed names, and the e2e tests read them.
 */
export const LOCAL_REGION = 'eu-west-1';
export const LOCAL_ARCHIVE_BUCKET = 'order-pipeline-archive';

/** Local table name of a table in TABLES: its id, e.g. `orders`, `payments`. */
export function localTableName(id: TableId): string {
  return id;
}

/** Function env vars that carry table names, mapped to the local table names. */
export function localTableEnv(): Record<string, string> {
  return Object.fromEntries((Object.keys(TABLES) as TableId[]).map((id) => [TABLES[id].envVar, localTableName(id)]));
}

/**
 * Credentials every local client and function signs with. s3rver (the S3 stand-in) accepts only
 * this fixed key pair; DynamoDB Local accepts any. Fixed values also keep a local run from ever
 * picking up a developer's real AWS credentials.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
