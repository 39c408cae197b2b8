import { SES_CLIENT_TIMEOUTS } from '../../../lambdas/notifications/config';
import { DEFAULT_RETRY_POLICY } from '../../../lambdas/shared/kafka/retry-budget';

describe('the SES client of the notifications', () => {
  it('GIVEN SendEmail has no idempotency token THEN the SDK never re-sends on its own: one attempt', () => {
    expect(SES_CLIENT_TIMEOUTS.maxAttempts).toBe(1);
  });

  it('GIVEN a send starts only with the batch loop margin left THEN its connect and answer fit in that margin', () => {
    const worstSendMs =
      SES_CLIENT_TIMEOUTS.maxAttempts *
      (SES_CLIENT_TIMEOUTS.connectionTimeoutMs + SES_CLIENT_TIMEOUTS.requestTimeoutMs);
    expect(worstSendMs).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.safetyMarginMs);
  });
});
