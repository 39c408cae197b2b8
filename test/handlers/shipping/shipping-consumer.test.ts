import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { DeadLetter } from '../../../lambdas/shared/contracts/events';
import { TABLES } from '../../../lambdas/shared/contracts/tables';
import { metrics } from '../../../lambdas/shared/observability';
import { shipmentEventId, shipmentIdFor } from '../../../lambdas/shipping/shipment';
import { shippingConsumer } from '../../../lambdas/shipping/shipping-consumer';
import { failing, throttling } from '../../support/doubles/faults';
import { lambdaContext } from '../../support/doubles/lambda-context';
import { RecordingPublisher } from '../../support/doubles/publisher';
import { InMemoryShipmentStore } from '../../support/doubles/shipments';
import { coldStart } from '../../support/function-env';
import { loadEvent, mskEvent } from '../../support/msk';

function setup(options: { partialBatchResponse?: boolean } = {}) {
  const store = new InMemoryShipmentStore();
  const table = store.items;
  const publisher = new RecordingPublisher();
  const processBatch = shippingConsumer({
    store,
    publisher,
    partialBatchResponse: options.partialBatchResponse ?? true,
  });
  const shipped = () => publisher.on('shipping').map((p) => `${p.event.event_type} ${p.key}`);
  const deadLetters = () => publisher.on('dead_letter').map((p) => p.event as DeadLetter);
  return { store, table, publisher, processBatch, shipped, deadLetters };
}

const paid = () => loadEvent('shipping-paid.json');
const reserved = () => loadEvent('shipping-stock-reserved.json');
const cancelled = () => loadEvent('shipping-order-cancelled.json');

describe('shipping consumer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('GIVEN paid orders and then reserved stock WHEN handled THEN shipments are created, and the reserved one is dispatched', async () => {
    const { table, processBatch, shipped } = setup();
    const addMetric = jest.spyOn(metrics, 'addMetric');

    expect(await processBatch(paid())).toEqual({ batchItemFailures: [] });
    expect(await processBatch(reserved())).toEqual({ batchItemFailures: [] });

    expect(shipped().sort()).toEqual(['ShipmentCreated 12345', 'ShipmentCreated 12346', 'ShipmentDispatched 12345']);
    expect(table.get('12345')).toMatchObject({
      shipmentId: shipmentIdFor('12345'),
      paidAt: '2025-04-07T12:34:57.000Z',
      reservedAt: '2025-04-07T12:34:58.000Z',
      items: [expect.objectContaining({ product_id: 'abc' }), expect.objectContaining({ product_id: 'def' })],
    });
    expect(addMetric.mock.calls.map(([name]) => name).sort()).toEqual([
      'ShipmentsCreated',
      'ShipmentsCreated',
      'ShipmentsDispatched',
    ]);
  });

  it('GIVEN reserved stock arriving before the payment WHEN handled THEN nothing ships early, and the payment creates and dispatches the shipment', async () => {
    const inOrder = setup();
    await inOrder.processBatch(paid());
    await inOrder.processBatch(reserved());
    const { table, processBatch, shipped } = setup();

    await processBatch(reserved());
    expect(shipped()).toEqual([]);
    await processBatch(paid());

    expect(shipped()).toEqual(['ShipmentCreated 12345', 'ShipmentDispatched 12345', 'ShipmentCreated 12346']);
    expect(table.get('12345')).toEqual(inOrder.table.get('12345'));
  });

  it('GIVEN a paid order cancelled for lack of stock WHEN handled THEN its shipment is created and cancelled, never dispatched', async () => {
    const { table, processBatch, shipped } = setup();

    await processBatch(paid());
    await processBatch(cancelled());

    expect(shipped().filter((s) => s.endsWith('12346'))).toEqual(['ShipmentCreated 12346', 'ShipmentCancelled 12346']);
    expect(table.get('12346')).toMatchObject({ cancelledAt: '2025-04-07T12:35:03.000Z' });
    expect(table.get('12346')!.reservedAt).toBeUndefined();
  });

  it('GIVEN the same batches delivered 3 times WHEN handled THEN the same event ids are re-emitted with the same bytes and the shipments do not change', async () => {
    const once = setup();
    await once.processBatch(paid());
    await once.processBatch(reserved());
    await once.processBatch(cancelled());
    const { table, publisher, processBatch } = setup();

    for (let delivery = 0; delivery < 3; delivery++) {
      await processBatch(paid());
      await processBatch(reserved());
      await processBatch(cancelled());
    }

    const ids = (p: RecordingPublisher) => [...new Set(p.on('shipping').map((e) => e.event.event_id))].sort();
    expect(ids(publisher)).toEqual(ids(once.publisher));
    expect(ids(publisher)).toEqual(
      [
        shipmentEventId('ShipmentCreated', '12345'),
        shipmentEventId('ShipmentDispatched', '12345'),
        shipmentEventId('ShipmentCreated', '12346'),
        shipmentEventId('ShipmentCancelled', '12346'),
      ].sort(),
    );
    const versions = new Map<string, Set<string>>();
    for (const { event } of publisher.on('shipping')) {
      versions.set(event.event_id, (versions.get(event.event_id) ?? new Set()).add(JSON.stringify(event)));
    }
    expect([...versions.values()].map((v) => v.size)).toEqual([1, 1, 1, 1]);
    expect([...table.entries()]).toEqual([...once.table.entries()]);
  });

  it('GIVEN poison records in the middle of both partitions WHEN handled THEN each is dead-lettered with its reason and the records behind them are processed', async () => {
    const { processBatch, shipped, deadLetters } = setup();

    const response = await processBatch(loadEvent('shipping-poison.json'));

    expect(response).toEqual({ batchItemFailures: [] });
    const reasons = Object.fromEntries(
      deadLetters().map((d) => [`${d.source.topic}@${d.source.offset}`, d.reason] as const),
    );
    expect(reasons).toEqual({
      'inventory_outcome@51': 'unknown event_type "StockReleased" on topic inventory_outcome',
      'inventory_outcome@52': expect.stringMatching(/^schema violation in StockReserved: items: /),
      'inventory_outcome@53': expect.stringMatching(/^value is not UTF-8 JSON: /),
      'inventory_outcome@54': 'missing value (null or empty record)',
      'inventory_outcome@55': 'value is not valid base64',
      'inventory_outcome@56': expect.stringMatching(/^value is not UTF-8 JSON: .*encoded data was not valid/),
      'billing_outcome@71': expect.stringMatching(/^paid BillingOutcome .+ carries no items$/),
    });
    expect(deadLetters().every((d) => d.consumer === 'shipping')).toBe(true);
    expect(shipped().sort()).toEqual([
      'ShipmentCancelled 12350',
      'ShipmentCreated 12347',
      'ShipmentCreated 12350',
      'ShipmentDispatched 12347',
    ]);
  });

  it('GIVEN DynamoDB throttles one record WHEN handled THEN that record and the rest of its partition are reported for retry, the throttled key waits, and other partitions flow on', async () => {
    const { store, processBatch, shipped, deadLetters } = setup();
    store.fault = failing(throttling(), { keys: ['12347/reserved'] });

    const response = await processBatch(loadEvent('shipping-poison.json'));

    expect(response.batchItemFailures).toEqual(
      [50, 51, 52, 53, 54, 55, 56, 57].map((offset) => ({
        itemIdentifier: { partition: 'inventory_outcome-2', offset },
      })),
    );
    // Other keys behind the throttled record may run (and be redone on retry); 12347's own record waits.
    const deadLettered = deadLetters().map((d) => `${d.source.topic}@${d.source.offset}`);
    expect(deadLettered).toContain('billing_outcome@71');
    expect(deadLettered).not.toContain('inventory_outcome@50');
    expect(shipped()).toEqual(expect.arrayContaining(['ShipmentCreated 12347', 'ShipmentCreated 12350']));
    expect(shipped()).not.toContain('ShipmentDispatched 12347');
  });

  it('GIVEN a mapping without partial batch responses WHEN DynamoDB throttles THEN the invocation fails so that the whole batch is retried', async () => {
    const { store, processBatch } = setup({ partialBatchResponse: false });
    store.fault = failing(throttling());

    await expect(processBatch(paid())).rejects.toThrow(/failed transiently/);
  });

  it('GIVEN the broker is unavailable after the write WHEN the batch is redelivered THEN the shipment events go out then, with the same ids', async () => {
    const { publisher, processBatch, shipped, deadLetters } = setup();
    publisher.error = Object.assign(new Error('Connection refused'), { code: 'ECONNREFUSED' });
    publisher.failNext = Infinity;

    const failed = await processBatch(paid());
    publisher.failNext = 0;
    const retried = await processBatch(paid());

    expect(failed.batchItemFailures.map((f) => f.itemIdentifier.partition).sort()).toEqual([
      'billing_outcome-1',
      'billing_outcome-3',
    ]);
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(shipped().sort()).toEqual(['ShipmentCreated 12345', 'ShipmentCreated 12346']);
    expect(deadLetters()).toEqual([]);
  });

  it('GIVEN a declined outcome delivered despite the filter WHEN handled THEN no shipment is touched', async () => {
    const { table, processBatch, shipped } = setup();
    const declined: MSKEvent = mskEvent([
      {
        topic: 'billing_outcome',
        key: '12360',
        value: {
          event_type: 'BillingOutcome',
          event_id: 'b-12360',
          order_id: '12360',
          payment_status: 'declined',
          transaction_id: 'txn_12360',
          amount: 10.13,
          currency: 'USD',
          reason: 'card declined',
          timestamp: '2025-04-07T12:40:00Z',
        },
      },
    ]);

    expect(await processBatch(declined)).toEqual({ batchItemFailures: [] });
    expect(table.size).toBe(0);
    expect(shipped()).toEqual([]);
  });
});

describe('shipping handler.ts (middy chain, configuration from the environment)', () => {
  it('GIVEN the deployed middy handler WHEN invoked with a Lambda context THEN it records the fact in SHIPMENTS_TABLE through the module-level client', async () => {
    const { handler } = await coldStart('shipping', () => import('../../../lambdas/shipping/handler'));
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(UpdateCommand).callsFake((input) => ({
      Attributes: { order_id: input.Key.order_id, shipment_id: input.ExpressionAttributeValues[':shipment_id'] },
    }));

    const response = await handler(reserved(), lambdaContext('shipping'));

    expect(response).toEqual({ batchItemFailures: [] });
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => [u.TableName, u.Key!.order_id])).toContainEqual([
      process.env[TABLES.shipments.envVar],
      '12345',
    ]);
    ddb.restore();
  });
});
