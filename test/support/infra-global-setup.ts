import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFRA_SYNTH_DIR_ENV } from '../infra/support/synth-dir';

/**
 * jest globalSetup of the infra project: a directory for the run's syntheses, which the workers
 * find through the environment. Each stage variant is synthesized there once, by the first test
 * file that asks (test/infra/support/pipeline.ts); globalTeardown removes it.
 */
export default function infraGlobalSetup(): void {
  process.env[INFRA_SYNTH_DIR_ENV] = mkdtempSync(join(tmpdir(), 'order-pipeline-infra-synth-'));
}
