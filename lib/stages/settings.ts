// The names a stage's settings choose from; lib/config.ts re-exports them (they live here so that
// the settings do not import the configuration that reads them).
export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

export const CLUSTER_TYPES = ['provisioned', 'serverless'] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

export const API_AUTHORIZATIONS = ['iam', 'none'] as const;
export type ApiAuthorization = (typeof API_AUTHORIZATIONS)[number];

/**
 * What defines one deployed stage beyond the sizes in lib/config.ts: where it goes and what it is
 * called outside AWS. Kept in the repository (lib/stages/<stage>.ts), not on the command line, so
 * that a later `cdk deploy` by someone else or a CI job builds the same stage (docs/stages.md).
 */
export interface StageSettings {
  /**
   * The 12-digit account the stage deploys to. Required for prod. A dev stage without one is bound
   * to its region only and deploys to the account of the caller's credentials.
   */
  readonly account?: string;
  /** The region the stage deploys to: the stacks' `env`, and the row of lib/availability-zones.ts. */
  readonly region: string;
  /** Three AZ IDs of that region; omitted: the region's default in lib/availability-zones.ts. */
  readonly availabilityZoneIds?: readonly string[];
  readonly clusterType: ClusterType;
  /** `iam`: callers sign with SigV4. `none` is for demos only: anyone with the URL can place orders. */
  readonly apiAuth: ApiAuthorization;
  /** Subscribed to the alarm topic (confirm the subscription from the inbox). Required for prod. */
  readonly alarmEmail?: string;
  readonly ses: {
    /** The domain (`shop.example.org`) or address (`orders@shop.example.org`) customer emails come from. */
    readonly identity: string;
    /**
     * true: the identity is already in SES in this account and region (verified by hand, or kept
     * from an earlier deploy): the stack imports it by name. false: the stack creates it, and keeps
     * it when the stack or the resource is removed. SES identities are unique per account and
     * region, so a second create fails.
     */
    readonly existingIdentity: boolean;
  };
}

/**
 * Text that marks a setting a user must fill in before the stage can be synthesized; the
 * validation names the setting and the file.
 */
export const FILL_IN = '<fill in>';

/**
 * The dev stage's identity until a developer sets one: synth works, but SES refuses to send from
 * it (example.com is reserved and can never be verified), so the stack need not keep it.
 */
export const PLACEHOLDER_SES_IDENTITY = 'notifications@example.com';
