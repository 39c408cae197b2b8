import { join } from 'node:path';
import { freePort, startProcess, waitUntilReady, type ManagedProcess } from '../process';

/**
 * The SES v2 API stand-in: aws-ses-v2-local in its own Node process on 127.0.0.1. The notification
 * function's real SES adapter (the SES v2 SDK client, the code that runs in AWS) sends to it through
 * the local AWS gateway, which first checks the call's IAM grant and route. Its mails are held in
 * memory and read with sesEmails().
 */
export interface SesStandIn {
  /** `http://127.0.0.1:<port>`: where the gateway forwards SES calls. */
  readonly endpoint: string;
  readonly process: ManagedProcess;
  readonly startMs: number;
  stop(): Promise<void>;
}

export async function startSesStandIn(options: { readonly workDir: string }): Promise<SesStandIn> {
  const started = Date.now();
  const port = await freePort();
  const child = startProcess({
    name: 'aws-ses-v2-local',
    command: process.execPath,
    args: [require.resolve('aws-ses-v2-local/dist/cli.js'), '--host', '127.0.0.1', '--port', String(port)],
    logFile: join(options.workDir, 'ses.log'),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(child, `serving the SES v2 API on ${endpoint}`, async () => {
    const response = await fetch(`${endpoint}/health-check`);
    return response.ok;
  });
  return { endpoint, process: child, startMs: Date.now() - started, stop: () => child.stop().then(() => undefined) };
}

/** One email the stand-in accepted. */
export interface SesEmail {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  /** Seconds since the epoch. */
  readonly at: number;
}

/** Every email the stand-in accepted, in the order it accepted them. */
export async function sesEmails(endpoint: string): Promise<SesEmail[]> {
  const response = await fetch(`${endpoint}/store`);
  if (!response.ok) throw new Error(`SES stand-in ${endpoint}/store answered ${response.status}`);
  const { emails } = (await response.json()) as {
    emails: { messageId: string; from: string; destination: { to: string[] }; subject: string; at: number }[];
  };
  return emails.map((e) => ({
    messageId: e.messageId,
    from: e.from,
    to: e.destination.to,
    subject: e.subject,
    at: e.at,
  }));
}
