import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../paths';

export interface SynthOptions {
  /** Output directory (default cdk.out in the project root). */
  readonly outdir?: string;
  /** `-c key=value` context, e.g. { stage: 'dev' }. */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * Synthesizes the CDK app with the project's CDK CLI (`cdk synth`), exactly as `cdk deploy` would
 * before deploying, into `outdir`, and returns the directory. The CLI's telemetry, version check and
 * notices are off: they would call out to the network.
 */
export async function synthesize(options: SynthOptions = {}): Promise<string> {
  const outdir = resolve(PROJECT_ROOT, options.outdir ?? 'cdk.out');
  const args = ['synth', '--quiet', '--no-notices', '--output', outdir];
  for (const [key, value] of Object.entries(options.context ?? {})) args.push('--context', `${key}=${value}`);
  const cdk = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk');
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(cdk, args, {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        // The app runs under `npx tsx`: the project's Node must come first on PATH.
        PATH: `${join(PROJECT_ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        CDK_DISABLE_VERSION_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', fail);
    child.once('exit', done);
  });
  if (code !== 0) throw new Error(`cdk synth failed (exit ${code}):\n${output.join('').trim()}`);
  return outdir;
}
