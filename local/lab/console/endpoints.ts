import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../runtime/services';
import { LOCAL_DIR } from '../../runtime/paths';

/**
 * The endpoints file: where a serving `npm run local` can be reached. It writes the file once
 * its stack is up and removes it when it stops; the console tools read it to find the broker.
 */
export const ENDPOINTS_FILE = join(LOCAL_DIR, 'endpoints.json');

export interface LocalEndpointsFile {
  /** The process serving them: a file left by a process that died is stale. */
  readonly pid: number;
  readonly startedAt: string;
  readonly orderApi: string;
  readonly kafkaBootstrap: string;
  readonly dynamodb: string;
  readonly s3: string;
  readonly region: string;
  /** Added by the parts that serve them. */
  readonly dashboard?: string;
  /** The runner's event source mappings through the Lambda API (local/runtime/runner/lambda-api.ts). */
  readonly lambdaApi?: string;
  /** The SES v2 API stand-in the notification function's SES client reaches through the AWS gateway. */
  readonly ses?: string;
  /** This run's logs. */
  readonly runDir: string;
}

const LABELS: Record<Exclude<keyof LocalEndpointsFile, 'pid' | 'startedAt'>, string> = {
  orderApi: 'Order API',
  dashboard: 'Dashboard',
  kafkaBootstrap: 'Kafka bootstrap',
  dynamodb: 'DynamoDB',
  s3: 'S3',
  lambdaApi: 'Lambda API (mappings)',
  ses: 'SES v2 API',
  region: 'Region',
  runDir: 'Logs',
};

/** Writes the file atomically (a reader never sees half of it). */
export function writeEndpointsFile(endpoints: LocalEndpointsFile, file = ENDPOINTS_FILE): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(endpoints, null, 2)}\n`);
  renameSync(partial, file);
}

/** Removes the file if this process wrote it (another `npm run local` may have replaced it since). */
export function removeEndpointsFile(file = ENDPOINTS_FILE): void {
  try {
    if (readEndpoints(file).pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}

/**
 * The endpoints of the `npm run local` that serves now, or an error that says how to start one
 * or where else to point the tools.
 */
export function readEndpointsFile(file = ENDPOINTS_FILE): LocalEndpointsFile {
  let endpoints: LocalEndpointsFile;
  try {
    endpoints = readEndpoints(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      `No local cloud is serving (${file} does not exist): start one with \`npm run local\`, or pass --bootstrap host:port`,
    );
  }
  if (!isAlive(endpoints.pid)) {
    throw new Error(
      `The local cloud that wrote ${file} (pid ${endpoints.pid}) is gone: start one with \`npm run local\`, or pass --bootstrap host:port`,
    );
  }
  return endpoints;
}

/** The endpoints as aligned `label  value` lines, for the person running the stack. */
export function formatEndpoints(endpoints: LocalEndpointsFile): string[] {
  const rows = (Object.keys(LABELS) as (keyof typeof LABELS)[]).flatMap((field) =>
    endpoints[field] === undefined ? [] : [[LABELS[field], endpoints[field]] as const],
  );
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

function readEndpoints(file: string): LocalEndpointsFile {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalEndpointsFile>;
  if (typeof parsed.kafkaBootstrap !== 'string' || typeof parsed.pid !== 'number') {
    throw new Error(`${file} is not an endpoints file (no kafkaBootstrap or pid)`);
  }
  return parsed as LocalEndpointsFile;
}
