import type { AnyEvent } from '../shared/contracts/events';
import { TOPICS } from '../shared/contracts/topics';
import { PoisonRecordError } from '../shared/errors';
import { toTopic } from '../shared/kafka/publisher';
import {
  eventsImpliedBy,
  shipmentIdFor,
  shipmentStatus,
  type ShipmentEvent,
  type ShipmentFact,
  type ShipmentStatus,
} from './shipment';
import type { EventPublisher, ShipmentStore } from './ports';

export interface ShippingDependencies {
  readonly store: ShipmentStore;
  readonly publisher: EventPublisher;
}

export type ShippingResult =
  /** The event became a fact of the order's shipment; `emitted`: the events it implied, published. */
  | {
      readonly kind: 'applied';
      readonly orderId: string;
      readonly fact: ShipmentFact['name'];
      readonly status: ShipmentStatus;
      readonly emitted: readonly ShipmentEvent[];
    }
  /** An event shipping has no business with (a billing outcome other than `paid`): nothing written. */
  | { readonly kind: 'not-concerned' };

/**
 * Applies one event to the order's shipment and publishes the events it implies, re-emitted from
 * the stored facts on redelivery.
 */
export async function applyShippingEvent(event: AnyEvent, deps: ShippingDependencies): Promise<ShippingResult> {
  const fact = factOf(event);
  if (!fact) return { kind: 'not-concerned' };
  const orderId = (event as { order_id: string }).order_id;
  const facts = await deps.store.applyFact(orderId, shipmentIdFor(orderId), fact);
  const emitted = eventsImpliedBy(facts, fact.name);
  await deps.publisher.publish(emitted.map((e) => toTopic(TOPICS.shipping.name, e)));
  return { kind: 'applied', orderId, fact: fact.name, status: shipmentStatus(facts), emitted };
}

function factOf(event: AnyEvent): ShipmentFact | undefined {
  // Facts keep the time the source event happened, in UTC, so the events they imply are reproducible.
  const at = () => new Date(event.timestamp).toISOString();
  switch (event.event_type) {
    case 'BillingOutcome':
      // The mapping only lets `paid` through; a declined or refunded outcome that slips past a
      // changed filter concerns no shipment (a refund follows an OrderCancelled, which shipping hears).
      if (event.payment_status !== 'paid') return undefined;
      if (!event.items) throw new PoisonRecordError(`paid BillingOutcome ${event.event_id} carries no items`);
      return { name: 'paid', at: at(), items: event.items };
    case 'StockReserved':
      return { name: 'reserved', at: at() };
    case 'OrderCancelled':
      return { name: 'cancelled', at: at() };
    default:
      // Valid on its own topic but never subscribed: a mapping points at the wrong topic.
      throw new PoisonRecordError(`shipping does not consume ${event.event_type} events`);
  }
}
