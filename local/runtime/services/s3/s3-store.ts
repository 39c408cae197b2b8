import { ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../endpoints';
import { freePort, startProcess, waitUntilReady, type ManagedProcess } from '../process';

/**
 * The S3 stand-in: s3rver in its own Node process, on 127.0.0.1, with the app's bucket created at
 * start. Its objects live in a directory under `workDir` that stop() deletes.
 */
export interface S3Store {
  /** `http://127.0.0.1:<port>`; clients need `forcePathStyle: true`. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly process: ManagedProcess;
  readonly startMs: number;
  stop(): Promise<void>;
}

export interface StartS3StoreOptions {
  readonly workDir: string;
  /** The bucket created at start (the app's, e.g. its archive). */
  readonly bucket: string;
  readonly readyTimeoutMs?: number;
}

export async function startS3Store(options: StartS3StoreOptions): Promise<S3Store> {
  const started = Date.now();
  const port = await freePort();
  const dataDir = join(options.workDir, 's3-data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const child = startProcess({
    name: 's3rver',
    command: process.execPath,
    args: [
      require.resolve('s3rver/bin/s3rver.js'),
      '--directory',
      dataDir,
      '--address',
      '127.0.0.1',
      '--port',
      String(port),
      '--no-vhost-buckets',
      '--configure-bucket',
      options.bucket,
      // One log line per request would dwarf every other log of a run.
      '--silent',
    ],
    logFile: join(options.workDir, 's3rver.log'),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localS3Client(endpoint);
  try {
    await waitUntilReady(
      child,
      `serving bucket ${options.bucket} on ${endpoint}`,
      async () => {
        await client.send(new ListObjectsCommand({ Bucket: options.bucket, MaxKeys: 1 }));
        return true;
      },
      { timeoutMs: options.readyTimeoutMs ?? 30_000 },
    );
  } finally {
    client.destroy();
  }
  return {
    endpoint,
    bucket: options.bucket,
    process: child,
    startMs: Date.now() - started,
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    // s3rver does not know the newer default checksums on bodies of unknown length.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
