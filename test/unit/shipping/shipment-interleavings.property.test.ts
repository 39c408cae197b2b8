import fc from 'fast-check';
import type { AnyEvent } from '../../../lambdas/shared/contracts/events';
import { applyShippingEvent } from '../../../lambdas/shipping/apply-shipping-event';
import {
  shipmentEventId,
  shipmentStatus,
  type ShipmentEvent,
  type ShipmentFactName,
  type ShipmentFacts,
} from '../../../lambdas/shipping/shipment';
import { InMemoryShipmentStore } from '../../support/doubles/shipments';

/**
 * Every interleaving of the events that reach shipping for one order, with duplicates (a producer
 * retry at a new offset, a batch delivered again) and crashes between the DynamoDB write and the
 * publish (after which the record is always delivered again: at-least-once).
 */
const ORDER_ID = '12345';
const items = [{ product_id: 'abc', quantity: 2, unit_price: 49.5 }];

function sourceEvent(fact: ShipmentFactName, timestamp: string): AnyEvent {
  const envelope = { event_id: `source-${fact}`, order_id: ORDER_ID, timestamp };
  switch (fact) {
    case 'paid':
      return {
        ...envelope,
        event_type: 'BillingOutcome',
        payment_status: 'paid',
        transaction_id: 'txn_1',
        amount: 99,
        currency: 'USD',
        items,
      };
    case 'reserved':
      return { ...envelope, event_type: 'StockReserved', items };
    case 'cancelled':
      return { ...envelope, event_type: 'OrderCancelled', reason: 'out_of_stock' };
  }
}

interface Attempt {
  readonly fact: ShipmentFactName;
  readonly crashesBeforePublish: boolean;
}

interface Emission {
  readonly event: ShipmentEvent;
  /** The facts the store answered with on the write that led to this emission. */
  readonly factsAtEmission: ShipmentFacts;
}

const timestamp = fc
  .date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/**
 * Deliveries of the given facts: each fact 1 to 3 times, in any order, any attempt may crash after
 * its write, but the last attempt of each fact succeeds (the source keeps redelivering until one does).
 */
const deliveries = (facts: readonly ShipmentFactName[]) =>
  fc
    .tuple(...facts.map((fact) => fc.integer({ min: 1, max: 3 }).map((n) => Array<ShipmentFactName>(n).fill(fact))))
    .map((groups) => groups.flat())
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }))
    .chain((order) =>
      fc.array(fc.boolean(), { minLength: order.length, maxLength: order.length }).map((crashes) =>
        order.map((fact, i): Attempt => ({
          fact,
          crashesBeforePublish: crashes[i]! && order.slice(i + 1).includes(fact),
        })),
      ),
    );

/**
 * ASSUMPTION of the flow (inventory's reservation record guarantees it): an order is reserved OR
 * cancelled by inventory, never both. Paid or not, and at most one inventory outcome.
 */
const consistentFacts = fc
  .record({ paid: fc.boolean(), inventory: fc.constantFrom('none', 'reserved', 'cancelled') })
  .map(({ paid, inventory }) => [
    ...(paid ? (['paid'] as const) : []),
    ...(inventory === 'none' ? [] : [inventory as ShipmentFactName]),
  ])
  .filter((facts) => facts.length > 0);

const scenario = (facts: fc.Arbitrary<ShipmentFactName[]>) =>
  facts.chain((names) =>
    fc.record({
      facts: fc.constant(names),
      times: fc.record({ paid: timestamp, reserved: timestamp, cancelled: timestamp }),
      attempts: deliveries(names),
    }),
  );

async function run(attempts: readonly Attempt[], times: Record<ShipmentFactName, string>) {
  const store = new InMemoryShipmentStore();
  const emissions: Emission[] = [];
  for (const attempt of attempts) {
    let published: readonly ShipmentEvent[] = [];
    const result = await applyShippingEvent(sourceEvent(attempt.fact, times[attempt.fact]), {
      store,
      publisher: {
        publish: async (events) => {
          if (attempt.crashesBeforePublish) throw new Error('crashed between the write and the publish');
          published = events.map((e) => e.event as ShipmentEvent);
        },
      },
    }).catch((error: Error) => {
      if (!attempt.crashesBeforePublish) throw error;
      return undefined;
    });
    const factsAtEmission = store.items.get(ORDER_ID)!;
    emissions.push(...published.map((event) => ({ event, factsAtEmission })));
    if (result?.kind === 'applied') expect(result.status).toBe(shipmentStatus(factsAtEmission));
  }
  return { facts: store.items.get(ORDER_ID)!, emissions };
}

const distinctIds = (emissions: readonly Emission[]) => [...new Set(emissions.map((e) => e.event.event_id))].sort();

describe('shipment under every interleaving, duplicate and crash', () => {
  it('GIVEN any delivery order of consistent facts WHEN applied THEN the final state and the set of emitted event ids equal those of one clean delivery in canonical order', async () => {
    await fc.assert(
      fc.asyncProperty(scenario(consistentFacts), async ({ facts, times, attempts }) => {
        const clean = await run(
          facts.map((fact) => ({ fact, crashesBeforePublish: false })),
          times,
        );
        const messy = await run(attempts, times);

        expect(messy.facts).toEqual(clean.facts);
        expect(shipmentStatus(messy.facts)).toBe(shipmentStatus(clean.facts));
        expect(distinctIds(messy.emissions)).toEqual(distinctIds(clean.emissions));
      }),
      { numRuns: 500 },
    );
  });

  it('GIVEN any delivery order of consistent facts WHEN applied THEN exactly the events implied by the facts are emitted, each id always with the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario(consistentFacts), async ({ facts, times, attempts }) => {
        const { emissions } = await run(attempts, times);

        const paid = facts.includes('paid');
        const expected = [
          ...(paid ? ['ShipmentCreated' as const] : []),
          ...(paid && facts.includes('reserved') ? ['ShipmentDispatched' as const] : []),
          ...(paid && facts.includes('cancelled') ? ['ShipmentCancelled' as const] : []),
        ].map((type) => shipmentEventId(type, ORDER_ID));
        expect(distinctIds(emissions)).toEqual(expected.sort());
        const bytesById = new Map<string, Set<string>>();
        for (const { event } of emissions) {
          (bytesById.get(event.event_id) ?? bytesById.set(event.event_id, new Set()).get(event.event_id)!).add(
            JSON.stringify(event),
          );
        }
        expect([...bytesById.values()].every((versions) => versions.size === 1)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('GIVEN any delivery order of consistent facts WHEN applied THEN ShipmentDispatched is only ever emitted with payment and reserved stock recorded (I3)', async () => {
    await fc.assert(
      fc.asyncProperty(scenario(consistentFacts), async ({ times, attempts }) => {
        const { emissions } = await run(attempts, times);

        for (const { event, factsAtEmission } of emissions.filter((e) => e.event.event_type === 'ShipmentDispatched')) {
          expect({
            event: event.event_type,
            paid: !!factsAtEmission.paidAt,
            reserved: !!factsAtEmission.reservedAt,
          }).toEqual({
            event: 'ShipmentDispatched',
            paid: true,
            reserved: true,
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN reserved AND cancelled arriving in any order (outside the assumption) WHEN applied THEN cancellation wins: CANCELLED, ShipmentCancelled emitted, and no dispatch once the cancellation is known', async () => {
    const contradiction = fc.constant<ShipmentFactName[]>(['paid', 'reserved', 'cancelled']);
    await fc.assert(
      fc.asyncProperty(scenario(contradiction), async ({ times, attempts }) => {
        const { facts, emissions } = await run(attempts, times);

        expect(shipmentStatus(facts)).toBe('CANCELLED');
        expect(emissions.map((e) => e.event.event_type)).toContain('ShipmentCancelled');
        const dispatches = emissions.filter((e) => e.event.event_type === 'ShipmentDispatched');
        expect(dispatches.filter((e) => e.factsAtEmission.cancelledAt !== undefined)).toEqual([]);
        const cancelledFirst = attempts.findIndex((a) => a.fact === 'cancelled');
        const bothKnown = Math.max(
          attempts.findIndex((a) => a.fact === 'paid'),
          attempts.findIndex((a) => a.fact === 'reserved'),
        );
        const cancellationKnownBeforeDispatchPossible = cancelledFirst < bothKnown;
        expect(cancellationKnownBeforeDispatchPossible ? dispatches : []).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
