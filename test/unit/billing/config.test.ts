import { billingConfigFromEnv } from '../../../lambdas/billing/config';

const env = {
  PAYMENTS_TABLE: 'payments',
  KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098,b-2:9098',
  KAFKA_AUTH: 'iam',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
  AWS_REGION: 'eu-west-1',
};

describe('billingConfigFromEnv', () => {
  it('GIVEN the environment the CDK app sets WHEN read THEN the table, the brokers and the batch mode come out typed', () => {
    expect(billingConfigFromEnv(env)).toEqual({
      paymentsTable: 'payments',
      kafka: { bootstrapBrokers: ['b-1:9098', 'b-2:9098'], auth: 'iam', region: 'eu-west-1', clientId: 'billing' },
      partialBatchResponse: true,
    });
  });

  it.each([
    ['PAYMENTS_TABLE', undefined, /Missing required environment variable PAYMENTS_TABLE/],
    ['KAFKA_BOOTSTRAP_SERVERS', undefined, /Missing required environment variable KAFKA_BOOTSTRAP_SERVERS/],
    ['KAFKA_PARTIAL_BATCH_RESPONSE', 'yes', /KAFKA_PARTIAL_BATCH_RESPONSE must be one of true, false; got "yes"/],
  ])('GIVEN %s set to %p WHEN read THEN the cold start fails naming it', (name, value, message) => {
    expect(() => billingConfigFromEnv({ ...env, [name]: value })).toThrow(message);
  });
});
