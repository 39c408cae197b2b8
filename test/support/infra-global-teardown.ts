import { rmSync } from 'node:fs';
import { INFRA_SYNTH_DIR_ENV } from '../infra/support/synth-dir';

/** jest globalTeardown of the infra project: removes the run's syntheses. */
export default function infraGlobalTeardown(): void {
  const dir = process.env[INFRA_SYNTH_DIR_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
