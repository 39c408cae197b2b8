import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCfnLint, lintAssembly } from './support/cfn-lint';

/**
 * The linter the stage tests rely on really lints: a template with a property its resource type
 * does not have is reported as an error, attributed to its file, and a sound one passes.
 */
describe('cfn-lint as the stage tests run it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-pipeline-cfn-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const queue = (properties: Record<string, unknown>) =>
    JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: properties } } });

  it('GIVEN a template with an unknown property and a sound one WHEN linted THEN only the first has an error', () => {
    writeFileSync(join(dir, 'Broken.template.json'), queue({ NotAQueueProperty: 1 }));
    writeFileSync(join(dir, 'Sound.template.json'), queue({ SqsManagedSseEnabled: true }));

    const results = lintAssembly(ensureCfnLint(), dir);

    expect(results.map((r) => [r.template, r.errors.length > 0])).toEqual([
      ['Broken.template.json', true],
      ['Sound.template.json', false],
    ]);
    expect(results[0]!.errors.join('\n')).toMatch(/:E3002:.*NotAQueueProperty/);
  }, 900_000);
});
