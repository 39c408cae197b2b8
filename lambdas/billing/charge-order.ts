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
 * Charges an order once, whatever the number of deliveries: provider call keyed by order_id, then a
 * conditional ledger write, then the outcome published from the entry that won (docs/design.md, "Charge").
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
