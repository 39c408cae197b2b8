/**
 * Reuse of a previous synthesis by `npm run local` and `npm run invoke`: `cdk synth` (the app plus
 * one esbuild bundle per function) is the slowest step of a warm start, and its output depends only
 * on the files and settings hashed here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { synthesize, type SynthOptions } from './synth';

/** What the CDK app reads: its code, the functions it bundles, its settings and locked dependencies. */
export const SYNTH_INPUTS: readonly string[] = [
  'bin/app.ts',
  'lib',
  'lambdas',
  'cdk.json',
  'cdk.context.json',
  'package-lock.json',
  'tsconfig.json',
];

/** Variables the CDK CLI or the app turn into synthesis settings (the region checked at synth). */
export const SYNTH_ENV: readonly string[] = [
  'CDK_DEFAULT_REGION',
  'CDK_DEFAULT_ACCOUNT',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
];

/** Written into the output directory after a successful synthesis; its absence means "synthesize". */
export const SYNTH_KEY_FILE = '.synthesis-key.json';

/** Every file under the inputs (missing inputs skipped), relative to `root`, sorted. */
export function synthInputFiles(root: string = PROJECT_ROOT, inputs: readonly string[] = SYNTH_INPUTS): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== 'node_modules') walk(join(path, entry));
    } else {
      files.push(relative(root, path).split(sep).join('/'));
    }
  };
  for (const input of inputs) walk(join(root, input));
  return files.sort();
}

export interface SynthKeyInput {
  /** Relative path and content of each input file. */
  readonly files: readonly { readonly path: string; readonly content: Buffer | string }[];
  /** The `-c key=value` context passed to `cdk synth`. */
  readonly context: Readonly<Record<string, string>>;
  /** The environment variables of SYNTH_ENV that are set. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * A content hash of everything a synthesis depends on. Paths count (a renamed file changes it),
 * the order of context keys and of files does not.
 */
export function synthKey({ files, context, env }: SynthKeyInput): string {
  const hash = createHash('sha256');
  const field = (value: string | Buffer) => {
    hash.update(String(value.length));
    hash.update(':');
    hash.update(value);
  };
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    field(file.path);
    field(file.content);
  }
  for (const key of Object.keys(context).sort()) field(`-c ${key}=${context[key]}`);
  for (const name of SYNTH_ENV) if (env[name] !== undefined) field(`${name}=${env[name]}`);
  return hash.digest('hex');
}

/** The key of the project as it is now on disk. */
export function currentSynthKey(
  context: Readonly<Record<string, string>> = {},
  root: string = PROJECT_ROOT,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const files = synthInputFiles(root).map((path) => ({ path, content: readFileSync(join(root, path)) }));
  return synthKey({ files, context, env });
}

/**
 * A fingerprint of the synthesized templates, so that a directory rewritten by another `cdk synth`
 * (another stage, say) since the key was written is not mistaken for this one.
 */
export function outputFingerprint(outdir: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(outdir)
    .filter((n) => n.endsWith('.json') && n !== SYNTH_KEY_FILE)
    .sort()) {
    hash.update(name);
    hash.update(readFileSync(join(outdir, name)));
  }
  return hash.digest('hex');
}

interface KeyFile {
  readonly key: string;
  readonly output: string;
}

/** Marks `outdir` as the synthesis of `key`, as it is now. */
export function recordSynthesis(outdir: string, key: string): void {
  const record: KeyFile = { key, output: outputFingerprint(outdir) };
  writeFileSync(join(outdir, SYNTH_KEY_FILE), JSON.stringify(record));
}

/** Whether `outdir` holds the synthesis of exactly this key, untouched since. */
export function isReusable(outdir: string, key: string): boolean {
  const file = join(outdir, SYNTH_KEY_FILE);
  if (!existsSync(file)) return false;
  try {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
    return recorded.key === key && recorded.output === outputFingerprint(outdir);
  } catch {
    return false;
  }
}

export interface Synthesis {
  readonly outdir: string;
  /** True when the previous synthesis was reused. */
  readonly reused: boolean;
  readonly ms: number;
}

/** Synthesizes unless `outdir` already holds the synthesis of the same inputs. */
export async function synthesizeIfChanged(options: SynthOptions = {}): Promise<Synthesis> {
  const started = Date.now();
  const outdir = resolve(PROJECT_ROOT, options.outdir ?? 'cdk.out');
  const key = currentSynthKey(options.context);
  if (isReusable(outdir, key)) return { outdir, reused: true, ms: Date.now() - started };
  // Gone before the synthesis starts: an interrupted one leaves no key behind.
  rmSync(join(outdir, SYNTH_KEY_FILE), { force: true });
  await synthesize({ ...options, outdir });
  recordSynthesis(outdir, key);
  return { outdir, reused: false, ms: Date.now() - started };
}
