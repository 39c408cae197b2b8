import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbOrderRepository } from '../../lambdas/order-api/adapters/dynamodb-order-repository';
import { prepareAtSentPrices } from '../support/doubles/orders';
import { OrderStoreRejectedError, OrderStoreUnavailableError } from '../../lambdas/order-api/ports';
import { newId } from '../../lambdas/shared/ids';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryOrderStore } from '../support/doubles/orders';

const client = localDocumentClient();
const tables = { ordersTable: table('orders'), outboxTable: table('outbox'), analyticsTable: table('analytics') };
const repository = new DynamoDbOrderRepository(client, tables);
afterAll(() => client.destroy());

const prepared = (currency = 'USD') =>
  prepareAtSentPrices({
    body: {
      user_id: uniqueId('user'),
      items: [{ product_id: 'abc', quantity: 2, unit_price: 30.5 }],
      currency,
      payment_method: 'credit_card',
    },
    // Now, not a fixed date: the outbox item expires a week after it (TTL), and DynamoDB Local
    // sweeps expired items, so a past date could delete it before the test reads it back.
    now: new Date(),
    newId,
  });
const outboxItem = async (eventId: string) =>
  (
    await client.send(
      new GetCommand({ TableName: tables.outboxTable, Key: { event_id: eventId }, ConsistentRead: true }),
    )
  ).Item;
const orderItem = async (orderId: string) =>
  (
    await client.send(
      new GetCommand({ TableName: tables.ordersTable, Key: { order_id: orderId }, ConsistentRead: true }),
    )
  ).Item;

const inMemory = new InMemoryOrderStore();

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  { name: 'DynamoDbOrderRepository on DynamoDB Local', repository, outboxItem },
  {
    name: 'InMemoryOrderStore',
    repository: inMemory,
    outboxItem: async (eventId: string) => inMemory.outbox.find((e) => e.event_id === eventId),
  },
])('$name', ({ repository, outboxItem }) => {
  it('GIVEN a new order WHEN created THEN the order and its outbox entry are committed together and the order reads back as written', async () => {
    const { order, outbox } = prepared();

    expect(await repository.create(order, outbox)).toEqual({ kind: 'created' });

    expect(await repository.get(order.order_id)).toEqual(order);
    expect(await outboxItem(outbox.event_id)).toEqual(outbox);
  });

  it('GIVEN an order with that id WHEN created again, with other contents THEN nothing is written and the stored order comes back in the same round trip (ALL_OLD)', async () => {
    const first = prepared();
    await repository.create(first.order, first.outbox);
    const other = prepared('EUR');
    const sameId = { ...other.order, order_id: first.order.order_id };

    const again = await repository.create(sameId, other.outbox);

    expect(again).toEqual({ kind: 'exists', existing: first.order });
    expect(await outboxItem(other.outbox.event_id)).toBeUndefined();
  });

  it('GIVEN no order with that id WHEN read THEN it is undefined', async () => {
    expect(await repository.get(newId())).toBeUndefined();
  });
});

describe('DynamoDbOrderRepository on DynamoDB Local: one transaction', () => {
  it('GIVEN the outbox entry already exists WHEN the order is created THEN the transaction writes nothing: no order without its event', async () => {
    const { order, outbox } = prepared();
    await client.send(new PutCommand({ TableName: tables.outboxTable, Item: outbox }));

    await expect(repository.create(order, outbox)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(await orderItem(order.order_id)).toBeUndefined();
  });
});

describe('DynamoDbOrderRepository: which errors are worth a retry (503)', () => {
  const mocked = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  const ddb = mockClient(mocked);
  const mockedRepository = new DynamoDbOrderRepository(mocked, tables);
  const throttled = () =>
    Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
  beforeEach(() => ddb.reset());
  afterAll(() => ddb.restore());

  it.each([
    ['DynamoDB throttling', throttled()],
    [
      'a transaction cancelled by a concurrent retry',
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
      }),
    ],
    [
      'a DynamoDB server fault',
      Object.assign(new Error('Internal error'), { name: 'InternalServerError', $fault: 'server' }),
    ],
  ])('GIVEN %s WHEN creating THEN the store reports itself unavailable', async (_name, error) => {
    const { order, outbox } = prepared();
    ddb.on(TransactWriteCommand).rejects(error);

    await expect(mockedRepository.create(order, outbox)).rejects.toBeInstanceOf(OrderStoreUnavailableError);
  });

  it('GIVEN a value DynamoDB refuses as invalid (ValidationException) WHEN creating THEN the store reports a refusal, not unavailability', async () => {
    const { order, outbox } = prepared();
    const invalid = Object.assign(new Error('One or more parameter values were invalid'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    ddb.on(TransactWriteCommand).rejects(invalid);

    await expect(mockedRepository.create(order, outbox)).rejects.toBeInstanceOf(OrderStoreRejectedError);
  });

  it('GIVEN an error of ours that is not a refused value (AccessDenied) WHEN creating THEN it is passed on as it is', async () => {
    const { order, outbox } = prepared();
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $fault: 'client' });
    ddb.on(TransactWriteCommand).rejects(denied);

    await expect(mockedRepository.create(order, outbox)).rejects.toBe(denied);
  });

  it('GIVEN DynamoDB throttling WHEN reading THEN the store reports itself unavailable', async () => {
    ddb.on(GetCommand).rejects(throttled());

    await expect(mockedRepository.get(newId())).rejects.toBeInstanceOf(OrderStoreUnavailableError);
  });

  it('GIVEN a read WHEN sent THEN it is strongly consistent, so a client following the Location of a 202 sees its order', async () => {
    ddb.on(GetCommand).resolves({});
    const orderId = newId();

    await mockedRepository.get(orderId);

    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toEqual({
      TableName: tables.ordersTable,
      Key: { order_id: orderId },
      ConsistentRead: true,
    });
  });
});
