import { DynamoDbShipmentStore } from '../../lambdas/shipping/adapters/dynamodb-shipment-store';
import { shipmentIdFor } from '../../lambdas/shipping/shipment';
import { localDocumentClient, table, uniqueId } from '../support/adapters-env';
import { InMemoryShipmentStore } from '../support/doubles/shipments';

const client = localDocumentClient();
afterAll(() => client.destroy());

const items = [{ product_id: 'abc', quantity: 2, unit_price: 30.5 }];
const paid = { name: 'paid', at: '2025-04-07T12:34:57.000Z', items } as const;
const reserved = { name: 'reserved', at: '2025-04-07T12:34:58.000Z' } as const;

// The same cases hold the in-memory double, which the handler tests use, to the adapter's behaviour.
describe.each([
  { name: 'DynamoDbShipmentStore on DynamoDB Local', store: new DynamoDbShipmentStore(client, table('shipments')) },
  { name: 'InMemoryShipmentStore', store: new InMemoryShipmentStore() },
])('$name', ({ store }) => {
  it('GIVEN no shipment WHEN the paid fact is applied THEN the item is created and every fact comes back (ALL_NEW)', async () => {
    const orderId = uniqueId('order');

    const facts = await store.applyFact(orderId, shipmentIdFor(orderId), paid);

    expect(facts).toEqual({ orderId, shipmentId: shipmentIdFor(orderId), paidAt: paid.at, items });
  });

  it('GIVEN a fact applied WHEN it comes again with another time and other items THEN the first occurrence is kept', async () => {
    const orderId = uniqueId('order');
    await store.applyFact(orderId, shipmentIdFor(orderId), paid);

    const again = await store.applyFact(orderId, shipmentIdFor(orderId), {
      name: 'paid',
      at: '2025-04-07T13:00:00.000Z',
      items: [{ product_id: 'zzz', quantity: 1, unit_price: 1 }],
    });

    expect(again).toMatchObject({ paidAt: paid.at, items });
  });

  it('GIVEN the paid and reserved facts applied at the same time WHEN both are written THEN the item holds both, and the later write saw both', async () => {
    const orderId = uniqueId('order');

    const results = await Promise.all([
      store.applyFact(orderId, shipmentIdFor(orderId), paid),
      store.applyFact(orderId, shipmentIdFor(orderId), reserved),
    ]);

    expect(results.some((f) => f.paidAt === paid.at && f.reservedAt === reserved.at)).toBe(true);
    const final = await store.applyFact(orderId, shipmentIdFor(orderId), reserved);
    expect(final).toEqual({
      orderId,
      shipmentId: shipmentIdFor(orderId),
      paidAt: paid.at,
      reservedAt: reserved.at,
      items,
    });
  });
});
