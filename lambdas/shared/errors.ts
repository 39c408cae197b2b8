/**
 * A record that can never be processed, however often it is retried: bad base64 or JSON, a schema
 * violation, an unknown event type, an oversize value, or a business rule that rejects it for good.
 * The batch processor sends it to the dead-letter topic with `reason` and moves on.
 *
 * Every other error is transient (throttling, a broker that is restarting, a timeout): the record
 * is retried by the event source mapping, never dead-lettered by the function.
 */
export class PoisonRecordError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PoisonRecordError';
  }
}

export function isPoison(error: unknown): error is PoisonRecordError {
  return error instanceof PoisonRecordError;
}
