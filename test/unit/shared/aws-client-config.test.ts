import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { AWS_CLIENT_TIMEOUTS, awsClientConfig } from '../../../lambdas/shared/aws-client-config';

const ROOT = resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `new XxxClient(<args>)` of an @aws-sdk package in lambdas/, with its first argument's text. */
function clientConstructions(): { file: string; client: string; args: string }[] {
  return sourceFiles(join(ROOT, 'lambdas')).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const sdkClients = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-[\w-]+'/g)].flatMap((m) =>
      m[1]
        .split(',')
        .map((s) => s.trim())
        .filter((s) => /^[A-Za-z0-9]+Client$/.test(s)),
    );
    return sdkClients.flatMap((client) =>
      [...text.matchAll(new RegExp(`new ${client}\\(([^)]*\\)?)\\)`, 'g'))].map((m) => ({
        file: relative(ROOT, file),
        client,
        args: m[1],
      })),
    );
  });
}

describe('AWS SDK clients of the functions', () => {
  it('GIVEN lambdas/ WHEN its SDK clients are listed THEN there are some (the scan sees them)', () => {
    expect(clientConstructions().map((c) => c.client)).toEqual(
      expect.arrayContaining(['DynamoDBClient', 'SESv2Client', 'S3Client']),
    );
  });

  it('GIVEN every SDK client construction in lambdas/ WHEN read THEN it is built with awsClientConfig()', () => {
    const unbounded = clientConstructions().filter((c) => !/^awsClientConfig\(/.test(c.args.trim()));
    expect(unbounded).toEqual([]);
  });

  it('GIVEN the shared config WHEN built THEN it bounds connect and request, and makes the request bound an error', () => {
    expect(awsClientConfig()).toEqual({
      maxAttempts: AWS_CLIENT_TIMEOUTS.maxAttempts,
      requestHandler: {
        connectionTimeout: AWS_CLIENT_TIMEOUTS.connectionTimeoutMs,
        requestTimeout: AWS_CLIENT_TIMEOUTS.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
    });
    // Three attempts of connect + request stay inside the functions' 30 s timeout.
    const worst =
      AWS_CLIENT_TIMEOUTS.maxAttempts *
      (AWS_CLIENT_TIMEOUTS.connectionTimeoutMs + AWS_CLIENT_TIMEOUTS.requestTimeoutMs);
    expect(worst).toBeLessThan(30_000);
  });

  describe('GIVEN a server that accepts connections and never answers', () => {
    let server: Server;
    const sockets: Socket[] = [];
    let port = 0;
    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    });

    it('WHEN a client built with the config calls it THEN the call fails with a timeout instead of waiting', async () => {
      const client = new SESv2Client({
        ...awsClientConfig({ requestTimeoutMs: 300, maxAttempts: 1 }),
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const send = client.send(
        new SendEmailCommand({
          FromEmailAddress: 'a@example.com',
          Destination: { ToAddresses: ['b@example.com'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
        }),
      );
      await expect(send).rejects.toMatchObject({ name: 'TimeoutError' });
      client.destroy();
    });
  });
});
