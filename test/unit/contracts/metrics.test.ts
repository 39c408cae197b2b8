import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { METRICS } from '../../../lambdas/shared/contracts/metrics';

const LAMBDAS = join(__dirname, '..', '..', '..', 'lambdas');
const CONTRACT = join(LAMBDAS, 'shared', 'contracts', 'metrics.ts');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith('.ts') && path !== CONTRACT ? [path] : [];
  });
}

/** Every `METRICS.<key>` the functions' code names, with the files that name it. */
function emittedKeys(): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const file of sourcesUnder(LAMBDAS)) {
    for (const [, key] of readFileSync(file, 'utf8').matchAll(/\bMETRICS\.(\w+)/g)) {
      keys.set(key!, [...(keys.get(key!) ?? []), relative(LAMBDAS, file)]);
    }
  }
  return keys;
}

describe('metrics contract', () => {
  it('GIVEN the functions code WHEN its METRICS references are collected THEN every contract entry is emitted by some function', () => {
    const emitted = emittedKeys();
    expect(Object.keys(METRICS).filter((key) => !emitted.has(key))).toEqual([]);
  });

  it('GIVEN the functions code WHEN its METRICS references are collected THEN each names an entry of the contract', () => {
    expect([...emittedKeys().keys()].filter((key) => !(key in METRICS))).toEqual([]);
  });

  it('GIVEN the contract WHEN its names are listed THEN no two entries share a metric name', () => {
    const names = Object.values(METRICS);
    expect(new Set(names).size).toBe(names.length);
  });
});
