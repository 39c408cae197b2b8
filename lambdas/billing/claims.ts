/**
 * How long a claim may be carried out by simply calling the provider again with its key. The
 * provider call always follows the claim, so a claim younger than this has a key the provider still
 * remembers. Stripe: keys may be removed "after they're at least 24 hours old"; one hour of margin.
 */
export const PROVIDER_KEY_TRUST_MS = 23 * 60 * 60 * 1000;

/**
 * The trust window for a provider that says how long it keeps keys: its lifetime less an hour, or
 * less half of it when that is shorter; PROVIDER_KEY_TRUST_MS when it does not say.
 */
export function keyTrustMs(keyLifetimeMs?: number): number {
  if (keyLifetimeMs === undefined) return PROVIDER_KEY_TRUST_MS;
  return keyLifetimeMs - Math.min(60 * 60 * 1000, keyLifetimeMs / 2);
}

/**
 * True when the provider may have forgotten the key of a claim made at `requestedAt`. A claim time
 * that is missing or does not parse counts as beyond (fail closed): calling the provider again under
 * a key it may have forgotten can move money twice, while leaving the claim to an operator cannot.
 */
export function isBeyondKeyLifetime(
  requestedAt: string | undefined,
  now: Date,
  trustMs = PROVIDER_KEY_TRUST_MS,
): boolean {
  const claimedAt = requestedAt === undefined ? Number.NaN : Date.parse(requestedAt);
  if (Number.isNaN(claimedAt)) return true;
  return now.getTime() - claimedAt >= trustMs;
}
