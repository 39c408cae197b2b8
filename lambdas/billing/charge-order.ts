import type { OrderCreated } from '../shared/contracts/events';
import { chargeOutcome, type Payment } from './payment';
import { chargeIdempotencyKey, type EventPublisher, type PaymentProvider, type PaymentStore } from './ports';

export interface ChargeDependencies {
  readonly payments: PaymentStore;
  readonly provider: PaymentProvider;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

export interface ChargeOutcome {
  /** False when an earlier delivery of the order already recorded the charge: this one only re-emitted it. */
  readonly recorded: boolean;
  readonly payment: Payment;
}

/**
 * Charges an order once, whatever the number of deliveries of its OrderCreated.
 *
 * 1. The provider is called first, keyed by order_id: a repeated call returns the first result and
 *    moves no money, so a redelivery, a duplicate at a new offset or a concurrent delivery is harmless.
 * 2. The ledger write is conditional on the order having no payment yet (one round trip). The first
 *    write wins; a later one gets the existing entry back in the same round trip.
 * 3. The outcome is published from the entry that won (re-emission, not an outbox): if the function
 *    crashed between the ledger write and the publish, the redelivered record finds the entry and
 *    publishes the same event with the same event_id. Consumers downstream dedupe on it.
 */
export async function chargeOrder(order: OrderCreated, deps: ChargeDependencies): Promise<ChargeOutcome> {
  const charge = await deps.provider.charge({
    idempotencyKey: chargeIdempotencyKey(order.order_id),
    amount: order.amount,
    currency: order.currency,
    payment_method: order.payment_method,
  });
  const { recorded, payment } = await deps.payments.recordCharge({
    order_id: order.order_id,
    payment_status: charge.status,
    transaction_id: charge.transaction_id,
    amount: order.amount,
    currency: order.currency,
    items: order.items,
    charged_at: deps.now().toISOString(),
    ...(charge.status === 'declined' ? { decline_reason: charge.reason } : {}),
  });
  await deps.publisher.publish([chargeOutcome(payment)]);
  return { recorded, payment };
}
