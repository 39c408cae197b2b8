import type { ShipmentStore } from '../../../lambdas/shipping/ports';
import type { ShipmentFact, ShipmentFacts } from '../../../lambdas/shipping/shipment';
import type { Fault } from './faults';

/**
 * The shipments table in memory, with the semantics of the DynamoDB adapter's UpdateItem: the first
 * occurrence of each fact is kept (if_not_exists), and the whole item comes back (ALL_NEW).
 * test/adapters/dynamodb-shipment-store.test.ts runs the same cases against this double and the adapter.
 */
export class InMemoryShipmentStore implements ShipmentStore {
  readonly items = new Map<string, ShipmentFacts>();
  /** Keyed `<order_id>/<fact>`, e.g. `12347/reserved`. */
  fault: Fault<'applyFact'> = () => undefined;

  async applyFact(orderId: string, shipmentId: string, fact: ShipmentFact): Promise<ShipmentFacts> {
    const error = this.fault('applyFact', `${orderId}/${fact.name}`);
    if (error) throw error;
    const current = this.items.get(orderId) ?? { orderId, shipmentId };
    const next: ShipmentFacts = {
      ...current,
      shipmentId,
      paidAt: current.paidAt ?? (fact.name === 'paid' ? fact.at : undefined),
      reservedAt: current.reservedAt ?? (fact.name === 'reserved' ? fact.at : undefined),
      cancelledAt: current.cancelledAt ?? (fact.name === 'cancelled' ? fact.at : undefined),
      items: current.items ?? (fact.name === 'paid' ? fact.items : undefined),
    };
    this.items.set(orderId, next);
    return structuredClone(next);
  }
}
