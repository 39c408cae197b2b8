import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { createTables, localDynamoDbClient, localS3Client } from '../../local/runtime/services';
import type { TableId } from '../../lambdas/shared/contracts/tables';
import { localTableName } from '../../local/lab/app-bindings';

/** Where the adapters project's globalSetup started DynamoDB Local and the S3 stand-in. */
export const ADAPTERS_ENDPOINTS_ENV = 'ADAPTERS_ENDPOINTS';

export interface AdapterEndpoints {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  readonly bucket: string;
}

export function adapterEndpoints(): AdapterEndpoints {
  const raw = process.env[ADAPTERS_ENDPOINTS_ENV];
  if (!raw)
    throw new Error(`${ADAPTERS_ENDPOINTS_ENV} is not set: run these tests with jest --selectProjects adapters`);
  return JSON.parse(raw) as AdapterEndpoints;
}

/** A document client on DynamoDB Local, with the marshalling options of the functions' client. */
export function localDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(localDynamoDbClient(adapterEndpoints().dynamodbEndpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function localBucketClient() {
  return localS3Client(adapterEndpoints().s3Endpoint);
}

/** The table's name in DynamoDB Local. */
export const table = (id: TableId): string => localTableName(id);

/** A key no other test uses: the test files share one DynamoDB Local and run in parallel. */
export const uniqueId = (prefix: string): string => `${prefix}-${randomUUID()}`;

/**
 * A new analytics table for one test file alone (keyed on `pk` like TABLES.analytics), for items
 * that are global or per minute, which other files and runs write too.
 */
export async function ownAnalyticsTable(label: string): Promise<string> {
  const name = `${table('analytics')}-${uniqueId(label)}`;
  await createTables(adapterEndpoints().dynamodbEndpoint, [{ name, partitionKey: 'pk' }]);
  return name;
}

/**
 * A test file's client (destroyed after its tests) and its own analytics table (ownAnalyticsTable),
 * created before its tests: call `analyticsTable()` from within them.
 */
export function withOwnAnalyticsTable(label: string): {
  readonly client: DynamoDBDocumentClient;
  readonly analyticsTable: () => string;
} {
  const client = localDocumentClient();
  afterAll(() => client.destroy());
  let name: string | undefined;
  beforeAll(async () => {
    name = await ownAnalyticsTable(label);
  });
  return {
    client,
    analyticsTable: () => {
      if (name === undefined)
        throw new Error('the analytics table is created before the tests, not when the file loads');
      return name;
    },
  };
}
