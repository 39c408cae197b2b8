import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMailCatcher, type MailCatcher } from '../../local/runtime/services/smtp/mail-catcher';

/**
 * A mail catcher on 127.0.0.1 for each test of the enclosing describe, keeping its messages in a
 * fresh directory that is removed afterwards. Read `.current` inside a test.
 */
export function useMailCatcher(): { readonly current: MailCatcher; readonly dir: string } {
  let dir: string | undefined;
  let catcher: MailCatcher | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mail-catcher-'));
    catcher = await startMailCatcher({ mailDir: join(dir, 'mail') });
  });
  afterEach(async () => {
    await catcher?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get current() {
      if (!catcher) throw new Error('useMailCatcher: read the catcher inside a test');
      return catcher;
    },
    get dir() {
      if (!dir) throw new Error('useMailCatcher: read the directory inside a test');
      return dir;
    },
  };
}
