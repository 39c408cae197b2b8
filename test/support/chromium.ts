import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The machine's Chromium for the browser tests (playwright-core drives it; nothing is downloaded
 * from a browser CDN). Found in this order: $CHROME_PATH, a Chromium or Chrome on PATH, the macOS
 * applications. When none is found and this is Debian or Ubuntu as root, the test run installs the
 * `chromium` package itself, as it installs Kafka's jars and cfn-lint; otherwise it fails saying
 * what to install, so the browser tests are never skipped silently.
 */
const NAMES_ON_PATH = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome', 'chrome'];
const MACOS_APPS = [
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.CHROME_PATH) {
    if (!isExecutable(env.CHROME_PATH)) throw new Error(`CHROME_PATH=${env.CHROME_PATH} is not an executable file`);
    return env.CHROME_PATH;
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of NAMES_ON_PATH) {
    for (const dir of dirs) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return process.platform === 'darwin' ? MACOS_APPS.find(isExecutable) : undefined;
}

/** The Chromium to launch: found, or installed with apt-get (Debian's `chromium`) when this run may. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const root = process.getuid?.() === 0;
  if (!apt || !root) {
    throw new Error(
      'The dashboard test needs Chromium or Google Chrome and none was found (CHROME_PATH, ' +
        `${NAMES_ON_PATH.join(', ')} on PATH${process.platform === 'darwin' ? ', /Applications' : ''}). ` +
        (apt
          ? 'Install it with `sudo apt-get install -y chromium`, '
          : 'Install Chromium or Chrome with your package manager, ') +
        'or set CHROME_PATH to the browser executable.',
    );
  }
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'pipe',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    install();
  } catch {
    // A fresh container has no package lists yet.
    execFileSync('apt-get', ['update'], { stdio: 'pipe', timeout: 300_000 });
    install();
  }
  const installed = findChromium();
  if (!installed) throw new Error('apt-get installed chromium, but no chromium executable is on PATH');
  return installed;
}

/** Chromium refuses to start its sandbox as root; elsewhere the sandbox stays on. */
export function chromiumArgs(): string[] {
  return process.getuid?.() === 0 ? ['--no-sandbox'] : [];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
