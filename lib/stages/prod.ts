import { FILL_IN, type StageSettings } from './settings';

/**
 * The prod stage. Synth refuses it until every FILL_IN is replaced: account, region, the SES
 * identity and the alarm address are what a prod deploy must never guess. No `-c` override
 * applies to prod (docs/stages.md).
 */
export const PROD: StageSettings = {
  account: FILL_IN,
  region: FILL_IN,
  clusterType: 'provisioned',
  apiAuth: 'iam',
  alarmEmail: FILL_IN,
  ses: { identity: FILL_IN, existingIdentity: false },
};
