import {
  BatchWriteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { localAccessKeyId, startGateway, type Gateway } from '../../local/runtime/runner/enforcement/gateway';
import type { AccessModel } from '../../local/runtime/runner/enforcement/access-model';
import type { NetworkModel } from '../../local/runtime/runner/enforcement/routes';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/runtime/endpoints';
import { localTableName } from '../../local/lab/app-bindings';
import { adapterEndpoints } from '../support/adapters-env';

/**
 * DynamoDB's item size limit on a function's path: the function's SDK call, the local gateway
 * (which checks IAM and routes), DynamoDB Local. "The maximum item size in DynamoDB is 400 KB,
 * which includes both attribute name binary length (UTF-8 length) and attribute value lengths"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-items).
 * DynamoDB Local applies it itself, with DynamoDB's ValidationException and messages, so the
 * gateway forwards such a write unchanged: this test keeps that so for every write a function makes.
 */
const ACCOUNT = '000000000000';
const TABLE = localTableName('orders');
const LIMIT_BYTES = 400 * 1024;

let gateway: Gateway;
let client: DynamoDBClient;

beforeAll(async () => {
  const model: AccessModel = {
    account: ACCOUNT,
    region: LOCAL_REGION,
    identities: new Map([
      [
        'writer',
        {
          functionId: 'writer',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/writer`,
          sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/writer/writer`,
          policies: [
            {
              name: 'writes',
              policy: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
                    Resource: '*',
                  },
                ],
              },
            },
          ],
        },
      ],
    ]),
    resourcePolicies: new Map(),
    tables: new Map(),
    buckets: new Map(),
    bucketKeys: new Map(),
    sesIdentities: [],
  };
  // Every function reaches DynamoDB here: the routes are not what this test is about.
  const network = { reach: () => ({ reachable: true, via: 'gateway endpoint' }) } as unknown as NetworkModel;
  gateway = await startGateway({
    model,
    network,
    upstreams: { dynamodb: adapterEndpoints().dynamodbEndpoint, s3: adapterEndpoints().s3Endpoint },
    log: () => undefined,
  });
  client = new DynamoDBClient({
    endpoint: gateway.url,
    region: LOCAL_REGION,
    credentials: { accessKeyId: localAccessKeyId('writer'), secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await gateway?.stop();
});

/** An orders item of `bytes` bytes by DynamoDB's count: names and values, UTF-8. */
function itemOf(bytes: number) {
  const orderId = randomUUID();
  const fixed = 'order_id'.length + orderId.length + 'note'.length;
  return { order_id: { S: orderId }, note: { S: 'é'.repeat(Math.floor((bytes - fixed) / 2)) } };
}

describe('the local gateway and DynamoDB item size', () => {
  it.each([
    ['PutItem', (item: ReturnType<typeof itemOf>) => new PutItemCommand({ TableName: TABLE, Item: item })],
    [
      'BatchWriteItem',
      (item: ReturnType<typeof itemOf>) =>
        new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: item } }] } }),
    ],
    [
      'TransactWriteItems',
      (item: ReturnType<typeof itemOf>) =>
        new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: TABLE, Item: item } }] }),
    ],
  ] as const)(
    'GIVEN a function writing an item just over 400 KB with %s WHEN it passes the gateway THEN DynamoDB refuses it with ValidationException; one just under is stored',
    async (_operation, command) => {
      await expect(client.send(command(itemOf(LIMIT_BYTES + 16)) as never)).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Item size has exceeded the maximum allowed size',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(client.send(command(itemOf(LIMIT_BYTES - 16)) as never)).resolves.toBeDefined();
    },
  );

  it('GIVEN a function whose UpdateItem would grow an item over 400 KB WHEN it passes the gateway THEN DynamoDB refuses it with ValidationException', async () => {
    const { order_id, note } = itemOf(LIMIT_BYTES - 16);
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { order_id, note } }));

    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { order_id },
          UpdateExpression: 'SET extra = :x',
          ExpressionAttributeValues: { ':x': { S: 'x'.repeat(64) } },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Item size to update has exceeded the maximum allowed size',
    });
  });
});
