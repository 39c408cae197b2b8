import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Pinned, so that a new cfn-lint rule cannot turn a green build red overnight. Bump on purpose. */
export const CFN_LINT_VERSION = '1.58.0';

const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');
const VENV = join(PROJECT_ROOT, '.cache', `cfn-lint-${CFN_LINT_VERSION}`);

/**
 * The cfn-lint executable, installed on first use from PyPI into a virtualenv under .cache/
 * (gitignored), so that a fresh clone needs nothing but python3. Parallel test workers each build
 * into a temporary directory and rename it into place: the first rename wins, the rest discard.
 */
export function ensureCfnLint(): string {
  const bin = join(VENV, 'bin', 'cfn-lint');
  if (existsSync(bin)) return bin;
  mkdirSync(join(PROJECT_ROOT, '.cache'), { recursive: true });
  const staging = `${VENV}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  execFileSync('python3', ['-m', 'venv', staging], { stdio: 'pipe' });
  execFileSync(
    join(staging, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', `cfn-lint==${CFN_LINT_VERSION}`],
    { stdio: 'pipe', timeout: 600_000 },
  );
  try {
    renameSync(staging, VENV);
  } catch (error) {
    if (!existsSync(bin)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

export interface LintResult {
  readonly template: string;
  /** Findings of level error (E...). Warnings (W...) and informational findings are not failures. */
  readonly errors: string[];
  readonly exitCode: number | null;
}

/**
 * Lints every template of a cloud assembly directory. cfn-lint's exit code is a bit field
 * (2 = errors, 4 = warnings, 8 = informational); only errors fail.
 */
export function lintAssembly(cfnLint: string, assemblyDir: string): LintResult[] {
  return readdirSync(assemblyDir)
    .filter((f) => f.endsWith('.template.json'))
    .map((file) => {
      const result = spawnSync(cfnLint, ['--format', 'parseable', join(assemblyDir, file)], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      const errors = `${result.stdout}${result.stderr}`.split('\n').filter((line) => /:E\d{4}:/.test(line));
      if (result.status !== null && (result.status & 2) !== 0 && errors.length === 0) {
        errors.push(`cfn-lint exited ${result.status}: ${result.stdout}${result.stderr}`);
      }
      if (result.error) errors.push(String(result.error));
      return { template: file, errors, exitCode: result.status };
    });
}
