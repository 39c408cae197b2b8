import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  currentSynthKey,
  isReusable,
  recordSynthesis,
  SYNTH_KEY_FILE,
  synthInputFiles,
  synthKey,
} from '../../../../local/runtime/runner/synth-cache';

const files = (entries: Record<string, string>) =>
  Object.entries(entries).map(([path, content]) => ({ path, content }));
const base = { files: files({ 'lib/a.ts': 'export const a = 1;', 'cdk.json': '{}' }), context: {}, env: {} };

describe('synthKey', () => {
  it('GIVEN the same files listed in another order and the same context in another order WHEN keyed THEN the key is the same', () => {
    const one = synthKey({ ...base, context: { stage: 'dev', apiAuth: 'iam' } });
    const other = synthKey({ ...base, files: [...base.files].reverse(), context: { apiAuth: 'iam', stage: 'dev' } });
    expect(other).toBe(one);
  });

  it('GIVEN one byte of one file changed WHEN keyed THEN the key changes', () => {
    const changed = files({ 'lib/a.ts': 'export const a = 2;', 'cdk.json': '{}' });
    expect(synthKey({ ...base, files: changed })).not.toBe(synthKey(base));
  });

  it('GIVEN a file renamed, added or removed WHEN keyed THEN the key changes', () => {
    const key = synthKey(base);
    expect(synthKey({ ...base, files: files({ 'lib/b.ts': 'export const a = 1;', 'cdk.json': '{}' }) })).not.toBe(key);
    expect(synthKey({ ...base, files: [...base.files, { path: 'lib/c.ts', content: '' }] })).not.toBe(key);
    expect(synthKey({ ...base, files: base.files.slice(1) })).not.toBe(key);
  });

  it('GIVEN contents that only differ in where one file ends and the next begins WHEN keyed THEN the keys differ', () => {
    const one = synthKey({ ...base, files: files({ a: 'bc', b: '' }) });
    const other = synthKey({ ...base, files: files({ a: 'b', b: 'c' }) });
    expect(one).not.toBe(other);
  });

  it('GIVEN another context value WHEN keyed THEN the key changes', () => {
    expect(synthKey({ ...base, context: { stage: 'prod' } })).not.toBe(
      synthKey({ ...base, context: { stage: 'dev' } }),
    );
  });

  it('GIVEN another deployment region in the environment WHEN keyed THEN the key changes, and an unrelated variable does not change it', () => {
    const key = synthKey({ ...base, env: { CDK_DEFAULT_REGION: 'eu-west-1' } });
    expect(synthKey({ ...base, env: { CDK_DEFAULT_REGION: 'us-east-1' } })).not.toBe(key);
    expect(synthKey({ ...base, env: { CDK_DEFAULT_REGION: 'eu-west-1', HOME: '/elsewhere' } })).toBe(key);
  });
});

describe('synthInputFiles and reuse of an output directory', () => {
  let root: string;
  const write = (path: string, content = 'x') => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'synth-cache-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('GIVEN a project tree WHEN its inputs are listed THEN the app, lib, lambdas and settings count, and the local runtime, tests and node_modules do not', () => {
    for (const path of [
      'bin/app.ts',
      'bin/local.ts',
      'lib/stack.ts',
      'lambdas/billing/handler.ts',
      'lambdas/node_modules/x/index.js',
      'local/runtime/runner/runner.ts',
      'test/unit/a.test.ts',
      'cdk.json',
      'package-lock.json',
      'README.md',
    ]) {
      write(path);
    }
    expect(synthInputFiles(root)).toEqual([
      'bin/app.ts',
      'cdk.json',
      'lambdas/billing/handler.ts',
      'lib/stack.ts',
      'package-lock.json',
    ]);
  });

  it('GIVEN a function source edited WHEN the project is keyed again THEN the key changes; editing the local runtime does not', () => {
    write('lambdas/billing/handler.ts', 'one');
    write('local/runtime/runner/runner.ts', 'one');
    const key = currentSynthKey({}, root, {});
    write('local/runtime/runner/runner.ts', 'two');
    expect(currentSynthKey({}, root, {})).toBe(key);
    write('lambdas/billing/handler.ts', 'two');
    expect(currentSynthKey({}, root, {})).not.toBe(key);
  });

  it('GIVEN an output directory recorded for a key WHEN checked THEN it is reusable for that key only', () => {
    write('out/manifest.json', '{"stacks":1}');
    recordSynthesis(join(root, 'out'), 'key-1');
    expect(isReusable(join(root, 'out'), 'key-1')).toBe(true);
    expect(isReusable(join(root, 'out'), 'key-2')).toBe(false);
  });

  it('GIVEN a recorded output directory rewritten by another synthesis WHEN checked THEN it is not reusable', () => {
    write('out/manifest.json', '{"stacks":1}');
    recordSynthesis(join(root, 'out'), 'key-1');
    write('out/Dev-Services.template.json', '{}');
    expect(isReusable(join(root, 'out'), 'key-1')).toBe(false);
  });

  it('GIVEN an output directory without a key file, or with a corrupt one WHEN checked THEN it is not reusable', () => {
    write('out/manifest.json', '{}');
    expect(isReusable(join(root, 'out'), 'key-1')).toBe(false);
    write(`out/${SYNTH_KEY_FILE}`, 'not json');
    expect(isReusable(join(root, 'out'), 'key-1')).toBe(false);
  });
});
