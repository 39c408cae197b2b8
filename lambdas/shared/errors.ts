/**
 * A record that can never be processed, however often it is retried: bad base64 or JSON, a schema
 * violation, an unknown event type, an oversize value, or a business rule that rejects it for good.
 * The batch processor sends it to the dead-letter topic with `reason` and moves on.
 */
export class PoisonRecordError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PoisonRecordError';
  }
}

/**
 * A condition this code knows will pass (another delivery finishing what it holds, a read that lags
 * a write): classified transient, so the batch loop waits for it inside the invocation.
 */
export class TransientConditionError extends Error {
  override name = 'TransientConditionError';
}

export function isPoison(error: unknown): error is PoisonRecordError {
  return error instanceof PoisonRecordError;
}

/**
 * What a failure means for the record that met it (docs/design.md, "Poison or transient"):
 * - `poison`: it can never succeed for this record; dead-letter it with the reason;
 * - `transient`: a known passing condition (throttling, a leader election, a dropped connection);
 *   worth waiting for inside the invocation;
 * - `unexpected`: anything else; handed back to the event source mapping, whose retries are bounded.
 */
export type ErrorClass =
  | { readonly kind: 'poison'; readonly reason: string }
  | { readonly kind: 'transient'; readonly reason: string }
  | { readonly kind: 'unexpected' };

/** DynamoDB and other AWS services: throttling and server faults pass. */
const TRANSIENT_AWS_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);
const TRANSIENT_CANCELLATIONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);
/** The request itself is malformed (an item too large, an attribute too long, a bad expression value). */
const POISON_AWS_ERRORS = new Set(['ValidationException', 'SerializationException']);

/** Kafka protocol errors that a leader election, a broker restart or a quota window clears. */
const TRANSIENT_KAFKA_ERRORS = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'BROKER_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  'THROTTLING_QUOTA_EXCEEDED',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
]);
/** The record (or the event derived from it) is refused for what it is; the Java client calls it RecordTooLargeException. */
const POISON_KAFKA_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

const TRANSIENT_SOCKET_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // @platformatic/kafka's connection failures and timeouts
  'PLT_KFK_NETWORK',
]);

interface ErrorFields {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly apiId?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly statusCode?: unknown;
  readonly status?: unknown;
  readonly CancellationReasons?: readonly { readonly Code?: string }[];
  readonly errors?: unknown;
  readonly cause?: unknown;
}

function httpStatus(error: ErrorFields): number | undefined {
  const status = error.$metadata?.httpStatusCode ?? error.statusCode ?? error.status;
  return typeof status === 'number' ? status : undefined;
}

/** The class of one error, without looking at what it wraps. */
function classifyOne(error: ErrorFields): ErrorClass | undefined {
  if (error instanceof PoisonRecordError) return { kind: 'poison', reason: error.reason };
  if (error instanceof TransientConditionError) return { kind: 'transient', reason: `${error.name}: ${error.message}` };
  const name = typeof error.name === 'string' ? error.name : '';
  const code = typeof error.code === 'string' ? error.code : '';
  const apiId = typeof error.apiId === 'string' ? error.apiId : '';
  const message = typeof error.message === 'string' ? error.message : '';

  if (error instanceof RangeError && /call stack/i.test(message)) {
    return { kind: 'poison', reason: `the record overflows the stack when processed (nesting too deep): ${message}` };
  }
  if (POISON_KAFKA_ERRORS.has(apiId) || name === 'RecordTooLargeException') {
    return { kind: 'poison', reason: `the broker refuses the event for its size or shape: ${apiId || name}` };
  }
  if (TRANSIENT_KAFKA_ERRORS.has(apiId)) return { kind: 'transient', reason: apiId };
  if (TRANSIENT_SOCKET_ERRORS.has(code)) return { kind: 'transient', reason: code };

  const reasons = (error.CancellationReasons ?? []).map((r) => r.Code ?? '');
  if (reasons.some((r) => TRANSIENT_CANCELLATIONS.has(r))) {
    return { kind: 'transient', reason: `${name}: ${reasons.join(', ')}` };
  }
  if (reasons.includes('ValidationError')) return { kind: 'poison', reason: `${name}: ${message}` };
  if (TRANSIENT_AWS_ERRORS.has(name)) return { kind: 'transient', reason: name };
  if (POISON_AWS_ERRORS.has(name)) return { kind: 'poison', reason: `${name}: ${message}` };
  if (error.$metadata !== undefined || error.$fault !== undefined) {
    // An AWS SDK error: known by name only. Its other 400s (ResourceNotFound, AccessDenied,
    // ExpiredToken, ConditionalCheckFailed) fail every record alike or are the code's to handle.
    const passes = error.$fault === 'server' || error.$retryable !== undefined;
    return passes ? { kind: 'transient', reason: `${name} (${String(error.$fault)} fault)` } : undefined;
  }

  const status = httpStatus(error);
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) {
    return { kind: 'transient', reason: `${name || 'HTTP'} ${status}` };
  }
  // A request a provider refuses for what it says. 401, 403 and 404 are left out: they name a
  // missing grant, credential or resource, which fails every record alike and is an operator's to fix.
  if (status === 400 || status === 413 || status === 422) {
    return { kind: 'poison', reason: `the provider refused the request (${status}): ${name}: ${message}` };
  }
  return undefined;
}

/**
 * Classifies a failure by its own fields and those of the errors it wraps (`errors` of an
 * AggregateError, `cause`), the first match winning. Poison outranks transient: a batch whose
 * events include one too large to publish fails the same way on every retry.
 */
export function classifyError(error: unknown): ErrorClass {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let transient: ErrorClass | undefined;
  while (queue.length > 0 && seen.size < 32) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const fields = current as ErrorFields;
    const found = classifyOne(fields);
    if (found?.kind === 'poison') return found;
    transient ??= found;
    if (Array.isArray(fields.errors)) queue.push(...(fields.errors as unknown[]));
    if (fields.cause !== undefined) queue.push(fields.cause);
  }
  return transient ?? { kind: 'unexpected' };
}
