/**
 * The configuration every AWS SDK client of the functions is built with: bounded connection and
 * request times, so that a call with no route or a stalled answer fails inside the invocation,
 * where the handler's own retry and dead-letter paths are in control, instead of hanging until the
 * function times out (a timed-out invocation fails the whole batch, which Lambda then retries and
 * bisects).
 *
 * - connectionTimeout: the TCP/TLS connect. Every route here ends at a VPC endpoint in the same
 *   region (milliseconds), so 2 s means "no route", not "slow".
 * - requestTimeout: the wait for the answer, per attempt. @smithy/node-http-handler 4.4 and later
 *   only log a warning when it passes unless throwOnRequestTimeout is set: "If exceeded, a warning
 *   will be emitted unless throwOnRequestTimeout=true" (its HttpHandlerOptions documentation).
 * - maxAttempts: the SDK's standard retry; 3 attempts of at most 2 + 5 s stay under the functions'
 *   30 s timeout with room for the handler's own work.
 *
 * The shorthand `requestHandler: { ... }` builds the SDK's NodeHttpHandler: "As of v3.521.0 of the
 * AWS SDK for JavaScript, you can use the following shorthand syntax to configure requestHandler"
 * (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html).
 */
export const AWS_CLIENT_TIMEOUTS = {
  connectionTimeoutMs: 2_000,
  requestTimeoutMs: 5_000,
  maxAttempts: 3,
} as const;

export interface AwsClientTimeouts {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

export interface AwsClientConfig {
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
}

/** Pass to every `new XxxClient(...)` in lambdas/ (test/unit/aws-client-config.test.ts checks that). */
export function awsClientConfig(overrides: Partial<AwsClientTimeouts> = {}): AwsClientConfig {
  const timeouts = { ...AWS_CLIENT_TIMEOUTS, ...overrides };
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}
