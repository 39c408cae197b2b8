import { randomUUID } from 'node:crypto';
import { classifyError } from '../errors';

/**
 * How long a consumer waits inside one invocation for a transient failure to pass before it hands
 * the record back to the event source mapping (docs/design.md, "Poison or transient").
 */
export interface RetryPolicy {
  /** First wait; each further attempt doubles the cap. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Time kept free at the end of the invocation: no attempt starts later than this before the
   * function's timeout, so the last one (a publish may take several seconds to fail) can still
   * finish and the partial batch response reach Lambda.
   */
  readonly safetyMarginMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 5_000, safetyMarginMs: 10_000 };

/** Time as the batch loop sees it; tests pass a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** The part of the Lambda context the batch loop reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/** How long an invocation called without a Lambda context (a test, a script) is taken to last. */
export const UNTIMED_INVOCATION_MS = 60_000;

/**
 * The invocation a record is processed in, as every record of it sees it (RecordContext.invocation):
 * work that must finish before Lambda stops the function (a send and its record) starts only while
 * `remainingMs()` is at least `safetyMarginMs`, the margin the batch loop keeps for itself.
 */
export interface InvocationDeadline {
  /** Lambda's request id (a random id without a Lambda context): names what this invocation holds. */
  readonly requestId: string;
  /** When Lambda stops the invocation (epoch ms): nothing taken in it can be held past this. */
  readonly endsAt: number;
  readonly safetyMarginMs: number;
  /** Milliseconds until `endsAt`. */
  remainingMs(): number;
}

export function invocationDeadline(clock: Clock, policy: RetryPolicy, context?: InvocationContext): InvocationDeadline {
  const endsAt = clock.now() + (context ? context.getRemainingTimeInMillis() : UNTIMED_INVOCATION_MS);
  return {
    requestId: context?.awsRequestId ?? randomUUID(),
    endsAt,
    safetyMarginMs: policy.safetyMarginMs,
    remainingMs: () => endsAt - clock.now(),
  };
}

/**
 * Exponential backoff with full jitter: a uniformly random wait below the capped exponential, so
 * the consumers that met one outage do not retry it in step.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/**
 * The latest time at which a wait may end and another attempt start. Without a Lambda context (a
 * direct call in a test or a script) nothing is waited for: failures go straight back.
 */
export function retryDeadline(clock: Clock, policy: RetryPolicy, context?: InvocationContext): number {
  if (!context) return clock.now();
  return clock.now() + context.getRemainingTimeInMillis() - policy.safetyMarginMs;
}

/** What a retry inside the invocation logs and counts. */
export interface TransientRetry {
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/**
 * Runs `attempt` until it succeeds, waiting out transient failures with backoff while a wait ends
 * before `deadline`; any other failure, or a transient one past the deadline, is thrown.
 */
export async function withTransientRetries<T>(
  attempt: () => Promise<T>,
  deadline: number,
  options: { readonly clock: Clock; readonly policy: RetryPolicy; readonly onRetry: (retry: TransientRetry) => void },
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      const failure = classifyError(error);
      const delayMs = backoffDelay(n, options.policy, options.clock.random);
      if (failure.kind !== 'transient' || options.clock.now() + delayMs > deadline) throw error;
      options.onRetry({ attempt: n + 1, delayMs, reason: failure.reason });
      await options.clock.sleep(delayMs);
    }
  }
}
