import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyError } from '../../../../../lambdas/shared/errors';
import { GatewayFaults, type FaultAnswer } from '../../../../../local/runtime/runner/enforcement/faults';
import { sendServiceError } from '../../../../../local/runtime/runner/enforcement/gateway';
import type { AwsCall } from '../../../../../local/runtime/runner/enforcement/requests';

/**
 * The gateway's fault injection: which calls a rule throttles (service, operation, resource,
 * function, window, bursts, limit), and that its answers, in each service's own shape, reach the
 * functions' SDK clients as the errors AWS raises and are classified transient by the batch loop.
 */
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/notifications';
const OTHER = 'arn:aws:dynamodb:us-east-1:000000000000:table/analytics';
const update = (resource = TABLE): AwsCall => ({
  service: 'dynamodb',
  operation: 'UpdateItem',
  checks: [{ action: 'dynamodb:UpdateItem', resource }],
});
const sendEmail: AwsCall = {
  service: 'ses',
  operation: 'SendEmail',
  checks: [{ action: 'ses:SendEmail', resource: 'arn:aws:ses:us-east-1:000000000000:identity/example.com' }],
};

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('gateway faults', () => {
  it('GIVEN a throttling rule on a table (by local name) for one function WHEN calls come THEN only that function, that table and its indexes are throttled', () => {
    const t = clock();
    const faults = new GatewayFaults((name) => (name === 'notifications' ? TABLE : name), t.now);
    faults.inject({ name: 'table', service: 'dynamodb', resource: 'notifications', functionId: 'notifications' });
    expect(faults.answer('notifications', update())?.code).toBe('ProvisionedThroughputExceededException');
    expect(faults.answer('notifications', update(`${TABLE}/index/sent`))?.status).toBe(400);
    expect(faults.answer('notifications', update(OTHER))).toBeUndefined();
    expect(faults.answer('orderApi', update())).toBeUndefined();
    expect(faults.answer('notifications', update(`${TABLE}-archive`))).toBeUndefined();
    expect(faults.injected()).toEqual({ table: 2 });
  });

  it('GIVEN a window in bursts and a limit WHEN time passes THEN calls are throttled only in the bursts, inside the window, up to the limit', () => {
    const t = clock();
    const faults = new GatewayFaults(undefined, t.now);
    faults.inject({
      name: 'ses',
      service: 'ses',
      operations: ['SendEmail'],
      from: 1_000,
      until: 11_000,
      bursts: { onMs: 2_000, offMs: 3_000 },
      limit: 3,
    });
    const at = (ms: number) => {
      t.advance(ms - t.now());
      return faults.answer('notifications', sendEmail)?.code;
    };
    expect(at(1_000)).toBe('TooManyRequestsException');
    expect(at(2_999)).toBe('TooManyRequestsException');
    expect(at(3_000)).toBeUndefined(); // off
    expect(at(5_999)).toBeUndefined();
    expect(at(6_000)).toBe('TooManyRequestsException'); // the second burst
    expect(at(6_500)).toBeUndefined(); // limit reached
    expect(faults.injected()).toEqual({ ses: 3 });
    const late = new GatewayFaults(undefined, t.now);
    late.inject({ name: 'ses', service: 'ses', from: 0, until: 500 });
    expect(late.answer('notifications', sendEmail)).toBeUndefined(); // after the window
    expect(late.answer('notifications', { ...sendEmail, operation: 'GetAccount' })).toBeUndefined();
  });

  it('GIVEN a transaction touching the throttled table and another WHEN throttled THEN the cancellation reasons say ThrottlingError for its items only', () => {
    const faults = new GatewayFaults();
    faults.inject({ name: 'table', service: 'dynamodb', resource: TABLE });
    const answer = faults.answer('notifications', {
      service: 'dynamodb',
      operation: 'TransactWriteItems',
      checks: [
        { action: 'dynamodb:PutItem', resource: TABLE },
        { action: 'dynamodb:UpdateItem', resource: OTHER },
      ],
    });
    expect(answer).toMatchObject({ status: 400, code: 'TransactionCanceledException' });
    expect((answer!.fields!.CancellationReasons as { Code: string }[]).map((r) => r.Code)).toEqual([
      'ThrottlingError',
      'None',
    ]);
  });
});

describe('throttling answers through the SDK', () => {
  let server: Server;
  let endpoint: string;
  let next: { service: string; answer: FaultAnswer };

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.once('end', () =>
        sendServiceError(
          res,
          next.service,
          next.answer.status,
          next.answer.code,
          next.answer.message,
          req,
          next.answer.fields,
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const config = () => ({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'LOCALFNnotifications', secretAccessKey: 'x' },
  });
  const answerOf = (service: string, call: AwsCall) => {
    const faults = new GatewayFaults();
    faults.inject({ name: 'f', service });
    return { service, answer: faults.answer('notifications', call)! };
  };

  it('GIVEN SendEmail throttled WHEN the SES v2 client sends THEN it raises TooManyRequestsException (429), transient for the batch loop', async () => {
    next = answerOf('ses', sendEmail);
    const client = new SESv2Client(config());
    const error = await client
      .send(
        new SendEmailCommand({
          FromEmailAddress: 'shop@example.com',
          Destination: { ToAddresses: ['a@example.com'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
        }),
      )
      .catch((e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });
    expect(error).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    expect(classifyError(error).kind).toBe('transient');
    client.destroy();
  });

  it('GIVEN the table throttled WHEN the document client updates THEN ProvisionedThroughputExceededException, transient', async () => {
    next = answerOf('dynamodb', update());
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(config()));
    const error = await client
      .send(
        new UpdateCommand({
          TableName: 'notifications',
          Key: { notification_id: 'n' },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': 1 },
        }),
      )
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(classifyError(error).kind).toBe('transient');
    client.destroy();
  });

  it('GIVEN the table throttled WHEN the document client writes a transaction THEN TransactionCanceledException with ThrottlingError, transient', async () => {
    next = answerOf('dynamodb', {
      service: 'dynamodb',
      operation: 'TransactWriteItems',
      checks: [{ action: 'dynamodb:PutItem', resource: TABLE }],
    });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient(config()));
    const error = await client
      .send(
        new TransactWriteCommand({
          TransactItems: [{ Put: { TableName: 'notifications', Item: { notification_id: 'n' } } }],
        }),
      )
      .catch((e: unknown) => e as Error & { CancellationReasons?: { Code?: string }[] });
    expect(error).toMatchObject({ name: 'TransactionCanceledException' });
    expect((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.[0]?.Code).toBe(
      'ThrottlingError',
    );
    expect(classifyError(error).kind).toBe('transient');
    client.destroy();
  });
});
