import { loadShippingConfig } from '../../../lambdas/shipping/config';

const complete = {
  SHIPMENTS_TABLE: 'shipments',
  KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098, b-2:9098',
  KAFKA_AUTH: 'iam',
  AWS_REGION: 'eu-west-1',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'true',
};

describe('loadShippingConfig', () => {
  it('GIVEN every variable WHEN loaded THEN table, Kafka connection and partial batch response are read', () => {
    expect(loadShippingConfig(complete)).toEqual({
      shipmentsTable: 'shipments',
      kafka: { bootstrapBrokers: ['b-1:9098', 'b-2:9098'], auth: 'iam', region: 'eu-west-1', clientId: 'shipping' },
      partialBatchResponse: true,
    });
  });

  it.each(['SHIPMENTS_TABLE', 'KAFKA_BOOTSTRAP_SERVERS', 'KAFKA_AUTH', 'KAFKA_PARTIAL_BATCH_RESPONSE'])(
    'GIVEN %s is missing WHEN loaded THEN it fails naming the variable',
    (name) => {
      const env: Record<string, string | undefined> = { ...complete, [name]: undefined };
      expect(() => loadShippingConfig(env)).toThrow(name);
    },
  );

  it('GIVEN a partial batch response flag that is not a boolean WHEN loaded THEN it fails', () => {
    expect(() => loadShippingConfig({ ...complete, KAFKA_PARTIAL_BATCH_RESPONSE: 'yes' })).toThrow(
      /KAFKA_PARTIAL_BATCH_RESPONSE must be one of true, false/,
    );
  });
});
