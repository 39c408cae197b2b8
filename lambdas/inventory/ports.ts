/** What inventory talks to: stock and reservations, and the event publisher. */
import type { Reservation, StockLine } from './reservation';

export type { EventPublisher } from '../shared/kafka/publisher';

export type ReserveAttempt =
  /** Every line was taken off the shelf together with the reservation. */
  | { readonly kind: 'reserved'; readonly reservation: Reservation }
  /** An earlier delivery already decided for this order (reserved or rejected); nothing changed. */
  | { readonly kind: 'already-decided'; readonly reservation: Reservation }
  /** At least one line is short; nothing changed. */
  | { readonly kind: 'out-of-stock'; readonly products: readonly string[] };

/** The decision that holds after a rejection was offered: this one (`recorded`) or an earlier delivery's. */
export type RejectionResult = { readonly kind: 'recorded' | 'already-decided'; readonly reservation: Reservation };

/** Stock and reservations, behind conditional writes. Each method is one DynamoDB round trip. */
export interface StockStore {
  /**
   * Writes the reservation and takes every line off the shelf, all or nothing: the reservation must
   * not exist yet, and every product must have at least the line's quantity available.
   */
  reserve(reservation: Reservation, lines: readonly StockLine[]): Promise<ReserveAttempt>;

  /** Records a rejection unless the order already has a decision; returns the decision that holds. */
  recordRejection(rejection: Reservation): Promise<RejectionResult>;
}
