/** What billing talks to: the payment ledger, the payment provider and the event publisher. */
import type { ChargeClaim, LedgerEntry, Payment, RefundStatus } from './payment';

export type { EventPublisher } from '../shared/kafka/publisher';

/**
 * The payment ledger: one entry per order, written with conditional writes so that concurrent or
 * repeated deliveries agree on a single outcome. Each write is one DynamoDB round trip.
 */
export interface PaymentStore {
  /**
   * Writes the intent to charge unless the order has an entry. Returns the entry that holds: the
   * new claim (`claimed`) or the one an earlier delivery wrote (`existing`), completed or not.
   */
  claimCharge(claim: ChargeClaim): Promise<{ readonly kind: 'claimed' | 'existing'; readonly entry: LedgerEntry }>;

  /**
   * Completes a claimed charge with the provider's answer. `already-completed` when another delivery
   * completed it first: its entry wins and comes back.
   */
  completeCharge(orderId: string, completion: ChargeCompletion): Promise<Completion>;

  /** Writes the intent to refund a paid payment that has no refund yet. */
  claimRefund(orderId: string, reason: string, at: string): Promise<RefundClaim>;

  /** Completes a requested refund as refunded or failed; the first completion wins, as for a charge. */
  completeRefund(orderId: string, completion: RefundCompletion): Promise<Completion>;

  /** Charges and refunds claimed before `requestedBefore` (ISO-8601) and never completed: the reconciler's work. */
  openClaims(requestedBefore: string): Promise<LedgerEntry[]>;
}

export type ChargeCompletion = Pick<
  Payment,
  'payment_status' | 'transaction_id' | 'charged_at' | 'decline_reason' | 'resolved_by' | 'resolution' | 'resolved_at'
>;

export type RefundCompletion =
  | { readonly refund_status: 'refunded'; readonly refund_transaction_id: string; readonly refunded_at: string }
  | { readonly refund_status: 'refund_failed'; readonly refund_failure: string; readonly refund_failed_at: string };

/** `already-completed`: another delivery completed the entry first; the entry that won comes back. */
export type Completion = { readonly kind: 'completed' | 'already-completed'; readonly payment: Payment };

export type RefundClaim =
  /** This call made the claim: the refund is ours to carry out. */
  | { readonly kind: 'claimed'; readonly payment: Payment & { readonly refund_status: RefundStatus } }
  /** An earlier delivery made the claim, and may or may not have completed it. */
  | { readonly kind: 'existing'; readonly payment: Payment & { readonly refund_status: RefundStatus } }
  /** Declined, charge not completed, or no payment at all: there is no money to give back. */
  | { readonly kind: 'not-refundable'; readonly payment: LedgerEntry | undefined };

/**
 * The port to a payment provider. Both operations take an idempotency key, as real providers do
 * (Stripe's `Idempotency-Key` header): a request repeated with the same key returns the first result
 * instead of moving money again, but only for as long as the provider keeps the key (Stripe may prune
 * keys once they are 24 hours old). So the key alone does not make a late redelivery safe: the
 * ledger claim written before the call does (docs/design.md, "Charge").
 */
export interface PaymentProvider {
  /** How long the provider keeps an idempotency key; undefined when the adapter cannot say (24 h assumed). */
  readonly keyLifetimeMs?: number;
  /** Throws PaymentRefusedError when the provider refuses the charge for good (a 4xx: invalid request). */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Throws PaymentRefusedError when the provider refuses the refund for good. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /**
   * What the provider knows of the charges made under an idempotency key, for an operator settling a
   * claim billing would not carry out again: every charge it made under the key (several when it
   * forgot the key in between), none, or undefined when this adapter cannot tell. A real adapter
   * searches by the key or by metadata, which outlives the key itself.
   */
  lookup(idempotencyKey: string): Promise<readonly ChargeResult[] | undefined>;
}

export interface ChargeRequest {
  readonly idempotencyKey: string;
  readonly amount: number;
  readonly currency: string;
  readonly payment_method: string;
}

export type ChargeResult =
  | { readonly status: 'paid'; readonly transaction_id: string }
  | { readonly status: 'declined'; readonly transaction_id: string; readonly reason: string };

export interface RefundRequest {
  readonly idempotencyKey: string;
  /** The charge being refunded. */
  readonly transaction_id: string;
  readonly amount: number;
  readonly currency: string;
}

export interface RefundResult {
  readonly transaction_id: string;
}

/** A refusal that no retry can change (a 4xx such as "charge already disputed"); the adapter maps it. */
export class PaymentRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`payment provider refused: ${reason}`);
    this.name = 'PaymentRefusedError';
  }
}

export const chargeIdempotencyKey = (orderId: string): string => orderId;
export const refundIdempotencyKey = (orderId: string): string => `${orderId}:refund`;
