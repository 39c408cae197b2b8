import type { StageName } from './settings';
import { DEV } from './dev';
import { PROD } from './prod';
import type { StageSettings } from './settings';

export { FILL_IN, PLACEHOLDER_SES_IDENTITY, type StageSettings } from './settings';

/** The committed settings of every stage: the only place a stage's account, region and names are chosen. */
export const STAGE_SETTINGS: Readonly<Record<StageName, StageSettings>> = { dev: DEV, prod: PROD };

/** Where a user edits the settings of `stage` (named in every validation message). */
export function stageSettingsFile(stage: StageName): string {
  return `lib/stages/${stage}.ts`;
}
