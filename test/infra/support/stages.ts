import type { StageName } from '../../../lib/config';
import { STAGE_SETTINGS, type StageSettings } from '../../../lib/stages';

/**
 * A filled-in prod, as a user would commit it: the committed lib/stages/prod.ts refuses to
 * synthesize until its placeholders are replaced, so the tests synthesize prod with these values.
 */
export const TEST_PROD_SETTINGS: StageSettings = {
  account: '123456789012',
  region: 'eu-west-1',
  clusterType: 'provisioned',
  apiAuth: 'iam',
  alarmEmail: 'ops@shop.test',
  ses: { identity: 'shop.test', existingIdentity: false },
};

/** The committed dev settings and the test prod. */
export const TEST_STAGE_SETTINGS: Readonly<Record<StageName, StageSettings>> = {
  ...STAGE_SETTINGS,
  prod: TEST_PROD_SETTINGS,
};
