import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SesEmailSender } from '../../lambdas/notifications/adapters/ses-email-sender';
import { SES_CLIENT_TIMEOUTS } from '../../lambdas/notifications/config';
import { SendOutcomeUnknownError } from '../../lambdas/notifications/ports';
import { awsClientConfig } from '../../lambdas/shared/aws-client-config';
import { classifyError } from '../../lambdas/shared/errors';

/**
 * The SES adapter with the real SES v2 SDK client and the notifications' client settings (one
 * attempt), against an HTTP server on 127.0.0.1 that answers as told: what the adapter makes of an
 * answer, a refusal and a send that never gets one.
 */
type Answer = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let answer: Answer;
let requests = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
});

function sender(port = (server.address() as AddressInfo).port): { email: SesEmailSender; client: SESv2Client } {
  const client = new SESv2Client({
    ...awsClientConfig({ ...SES_CLIENT_TIMEOUTS, requestTimeoutMs: 300 }),
    region: 'eu-west-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { email: new SesEmailSender(client, 'shop@example.com', 'orders'), client };
}

const message = {
  to: 'user-1@example.com',
  subject: 'Your order is confirmed (order o-1)',
  text: 'Thank you.',
  idempotencyKey: 'o-1#confirmed',
};

describe('SesEmailSender with the SES v2 client', () => {
  it("GIVEN SES accepts the email WHEN it is sent THEN the provider's message id comes back", async () => {
    answer = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"MessageId":"m-1"}');
    const { email, client } = sender();

    await expect(email.send(message)).resolves.toEqual({ messageId: 'm-1' });
    client.destroy();
  });

  it('GIVEN SES takes the request and never answers WHEN it is sent THEN the outcome is unknown (passing), after one attempt', async () => {
    answer = () => undefined;
    const { email, client } = sender();

    const error = await email.send(message).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SendOutcomeUnknownError);
    expect((error as Error).message).toMatch(/ETIMEDOUT.*may have sent/);
    expect(classifyError(error).kind).toBe('transient');
    expect(requests).toBe(1);
    client.destroy();
  });

  it('GIVEN SES throttles the send WHEN it is sent THEN the error is the throttling, not an unknown outcome', async () => {
    answer = (_req, res) =>
      res
        .writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' })
        .end('{"message":"Maximum sending rate exceeded."}');
    const { email, client } = sender();

    const error = await email.send(message).catch((e: unknown) => e);

    expect(error).not.toBeInstanceOf(SendOutcomeUnknownError);
    expect((error as Error).name).toBe('TooManyRequestsException');
    expect(classifyError(error).kind).toBe('transient');
    client.destroy();
  });

  it('GIVEN nothing listens WHEN it is sent THEN the error says so and is not an unknown outcome: nothing went out', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { email, client } = sender(port);

    const error = await email.send(message).catch((e: unknown) => e);

    expect(error).not.toBeInstanceOf(SendOutcomeUnknownError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    client.destroy();
  });
});
