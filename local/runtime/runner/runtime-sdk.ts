import { createHash } from 'node:crypto';
import { mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The Lambda Node.js runtime ships the AWS SDK for JavaScript v3 and puts it on NODE_PATH
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html), so bundles built with
 * `bundleAwsSDK: false` leave `@aws-sdk/*` out. A local execution environment gets the same: a
 * directory holding only `@aws-sdk`, linked to the project's copy, on NODE_PATH. Nothing else of
 * the project's node_modules is visible through it, so a bundle that misses another dependency fails
 * locally as it would in Lambda (unless cdk.out sits inside the project, where Node's own lookup
 * walks up to node_modules).
 */
export function runtimeSdkNodePath(): string {
  const sdk = dirname(dirname(require.resolve('@aws-sdk/client-dynamodb/package.json')));
  const root = join(tmpdir(), `lambda-local-runtime-${createHash('sha256').update(sdk).digest('hex').slice(0, 12)}`);
  const modules = join(root, 'node_modules');
  const link = join(modules, '@aws-sdk');
  mkdirSync(modules, { recursive: true });
  try {
    symlinkSync(sdk, link, 'dir');
  } catch (error) {
    // Another runner made it first; anything else at that path is a real problem.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || readlinkSync(link) !== sdk) throw error;
  }
  return modules;
}
