/** What shipping talks to: the shipments table, and the event publisher. */
import type { ShipmentFact, ShipmentFacts } from './shipment';

export type { EventPublisher } from '../shared/kafka/publisher';

/** Records a fact (first occurrence wins) and returns every fact now known, in one atomic step. */
export interface ShipmentStore {
  applyFact(orderId: string, shipmentId: string, fact: ShipmentFact): Promise<ShipmentFacts>;
}
