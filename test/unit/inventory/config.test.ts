import { inventoryConfigFromEnv, restockConfigFromEnv } from '../../../lambdas/inventory/config';

const env = {
  STOCK_TABLE: 'stock',
  RESERVATIONS_TABLE: 'reservations',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092',
  KAFKA_AUTH: 'plaintext',
  KAFKA_PARTIAL_BATCH_RESPONSE: 'false',
};

describe('inventory configuration', () => {
  it('GIVEN the consumer environment WHEN read THEN both tables and the batch mode come out typed', () => {
    expect(inventoryConfigFromEnv(env)).toEqual({
      tables: { stock: 'stock', reservations: 'reservations' },
      kafka: { bootstrapBrokers: ['127.0.0.1:9092'], auth: 'plaintext', region: undefined, clientId: 'inventory' },
      partialBatchResponse: false,
    });
  });

  it('GIVEN the restock function, which no mapping invokes, WHEN read THEN it needs neither the reservations table nor a batch mode', () => {
    const { STOCK_TABLE, KAFKA_BOOTSTRAP_SERVERS, KAFKA_AUTH } = env;

    expect(restockConfigFromEnv({ STOCK_TABLE, KAFKA_BOOTSTRAP_SERVERS, KAFKA_AUTH })).toMatchObject({
      stockTable: 'stock',
    });
  });

  it.each(['STOCK_TABLE', 'RESERVATIONS_TABLE', 'KAFKA_AUTH'])(
    'GIVEN %s missing WHEN the consumer configuration is read THEN the cold start fails naming it',
    (name) => {
      expect(() => inventoryConfigFromEnv({ ...env, [name]: undefined })).toThrow(name);
    },
  );
});
