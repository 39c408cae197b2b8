import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Pinned, so that a new cfn-lint rule cannot turn a green build red overnight. Bump on purpose. */
export const CFN_LINT_VERSION = '1.58.0';

const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');
const VENV = join(PROJECT_ROOT, '.cache', `cfn-lint-${CFN_LINT_VERSION}`);

/**
 * The Python of a virtualenv under .cache/ (gitignored) with cfn-lint installed from PyPI on first
 * use, so that a fresh clone needs nothing but python3. Parallel test workers each build into a
 * temporary directory and rename it into place: the first rename wins, the rest discard theirs.
 * cfn-lint runs through its console script's entry point (CFN_LINT_MAIN), since the venv's
 * console scripts keep their build path and the package has no `__main__` (`python -m cfnlint`
 * exits 1 with "No module named cfnlint.__main__", linting nothing).
 */
export function ensureCfnLint(): string {
  const python = join(VENV, 'bin', 'python');
  const installed = () => spawnSync(python, [...CFN_LINT_MAIN, '--version'], { encoding: 'utf8' }).status === 0;
  if (existsSync(python) && installed()) return python;
  rmSync(VENV, { recursive: true, force: true });
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
    if (!existsSync(python)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  return python;
}

/** cfn-lint's console script (`cfn-lint = cfnlint.runner:main` in its entry points), run by the venv's Python. */
const CFN_LINT_MAIN = ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())'];

export interface LintResult {
  readonly template: string;
  /** Findings of level error (E...). Warnings (W...) and informational findings are not failures. */
  readonly errors: string[];
  readonly exitCode: number | null;
}

/**
 * Lints every template of a cloud assembly directory in one cfn-lint run (one Python start-up).
 * cfn-lint's exit code is a bit field (2 = errors, 4 = warnings, 8 = informational); only errors
 * fail, and each error line (`<file>:<line>:<col>:...:E1234:...`) is attributed to its template.
 */
export function lintAssembly(python: string, assemblyDir: string): LintResult[] {
  const templates = readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json'));
  const result = spawnSync(
    python,
    [...CFN_LINT_MAIN, '--format', 'parseable', ...templates.map((t) => join(assemblyDir, t))],
    { encoding: 'utf8', timeout: 300_000 },
  );
  const lines = `${result.stdout}${result.stderr}`.split('\n');
  // Any exit code outside the bit field (1: cfn-lint itself failed, or none at all) is a failure too.
  const failed =
    result.error !== undefined || result.status === null || (result.status & 2) !== 0 || (result.status & ~14) !== 0;
  return templates
    .map((template) => {
      const errors = lines.filter((line) => line.startsWith(join(assemblyDir, template)) && /:E\d{4}:/.test(line));
      return { template, errors, exitCode: result.status };
    })
    .concat(
      failed && !lines.some((line) => /:E\d{4}:/.test(line))
        ? [
            {
              template: '(cfn-lint)',
              errors: [`cfn-lint failed: ${result.error ?? ''}${result.stdout}${result.stderr}`],
              exitCode: result.status,
            },
          ]
        : [],
    );
}
