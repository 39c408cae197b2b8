import { PLACEHOLDER_SES_IDENTITY, type StageSettings } from './settings';

/**
 * The dev stage: a developer's own account. Synthesizes with no input (the tests and the local
 * runtime use it offline); set the region you deploy dev to, and an alarm address if you want mail.
 * `-c` overrides are accepted for dev experiments only (docs/stages.md).
 */
export const DEV: StageSettings = {
  region: 'us-east-1',
  clusterType: 'provisioned',
  apiAuth: 'iam',
  // SES refuses to send from the placeholder: set a domain or address you own to receive emails.
  ses: { identity: PLACEHOLDER_SES_IDENTITY, existingIdentity: false },
};
