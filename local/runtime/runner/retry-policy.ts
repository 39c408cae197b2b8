import type { ErrorHandling } from './assembly';

/**
 * What an event source mapping does after an invocation: the error-handling controls of Lambda's
 * stream and Kafka event source mappings, as pure decisions, so that they are tested without a
 * broker or a function.
 *
 * Followed:
 * - https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html: MaximumRetryAttempts
 *   does not count the first attempt, -1 is infinite; split batch on error; partial batch response
 *   ({ itemIdentifier: { partition: "<topic>-<partition>", offset } }; an empty or null response is
 *   success; an identifier that is not in the batch fails the whole batch).
 * - https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html: with infinite
 *   retries and an on-failure destination Lambda retries at most 10 times; records that exhaust
 *   their retries or exceed the maximum record age go to the destination.
 * - https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (and with-kinesis): splitting a batch
 *   does not count towards the retry quota; a partial batch response names the lowest failed
 *   sequence number and Lambda retries from it (itemIdentifier is the SequenceNumber).
 */

/** Retries Lambda applies at most (excluding the first attempt); Infinity for infinite. */
export function retryLimit(settings: ErrorHandling): number {
  if (settings.maximumRetryAttempts >= 0) return settings.maximumRetryAttempts;
  return settings.onFailure ? 10 : Infinity;
}

export type InvocationOutcome =
  | { readonly ok: true; readonly response: unknown; readonly requestId?: string }
  | { readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly requestId?: string };

/** Where a record sits: its partition (topic-partition or shard) and its offset or sequence number. */
export interface RecordPosition {
  readonly partition: string;
  readonly id: bigint;
}

/** A failed item named by a partial batch response; `partition` is absent where the identifier has none (streams). */
export interface FailedItem {
  readonly partition?: string;
  readonly id: bigint;
}

export type FailureReport =
  | { readonly kind: 'none' }
  | { readonly kind: 'items'; readonly items: readonly FailedItem[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/** Reads a Kafka partial batch response. */
export function kafkaFailureReport(response: unknown): FailureReport {
  return failureReport(response, (identifier) => {
    if (identifier === null || typeof identifier !== 'object') return undefined;
    const { partition, offset } = identifier as { partition?: unknown; offset?: unknown };
    if (typeof partition !== 'string' || partition === '') return undefined;
    const id = toBigInt(offset);
    return id === undefined ? undefined : { partition, id };
  });
}

/** Reads a DynamoDB Streams (or Kinesis) partial batch response: the identifier is the SequenceNumber. */
export function streamFailureReport(response: unknown): FailureReport {
  return failureReport(response, (identifier) => {
    const id = typeof identifier === 'string' && /^\d+$/.test(identifier) ? BigInt(identifier) : undefined;
    return id === undefined ? undefined : { id };
  });
}

function failureReport(response: unknown, parse: (identifier: unknown) => FailedItem | undefined): FailureReport {
  if (response === null || response === undefined || typeof response !== 'object') return { kind: 'none' };
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'none' };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'none' };
  const items: FailedItem[] = [];
  for (const failure of failures) {
    const item = parse((failure as { itemIdentifier?: unknown } | null)?.itemIdentifier);
    if (!item) return { kind: 'invalid', reason: `invalid itemIdentifier ${JSON.stringify(failure)}` };
    items.push(item);
  }
  return { kind: 'items', items };
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return undefined;
}

export type Decision<R> =
  | { readonly action: 'done' }
  /** Invoke again with `records` (the whole batch, or what a partial response left failed). */
  | { readonly action: 'retry'; readonly records: readonly R[]; readonly attempt: number; readonly reason: string }
  /** Process the halves one after the other, with the same attempt count. */
  | { readonly action: 'bisect'; readonly halves: readonly [readonly R[], readonly R[]]; readonly attempt: number }
  /** Retries exhausted: send `records` to the on-failure destination (if any) and move past them. */
  | { readonly action: 'discard'; readonly records: readonly R[]; readonly reason: string };

export interface DecisionInput<R> {
  readonly records: readonly R[];
  readonly outcome: InvocationOutcome;
  /** 0 for the first invocation of these records, then the retries so far. */
  readonly attempt: number;
  readonly settings: ErrorHandling;
  readonly position: (record: R) => RecordPosition;
  readonly report: (response: unknown) => FailureReport;
}

export function decide<R>(input: DecisionInput<R>): Decision<R> {
  const { records, outcome, attempt, settings } = input;
  const retryOrDiscard = (failed: readonly R[], reason: string): Decision<R> =>
    attempt < retryLimit(settings)
      ? { action: 'retry', records: failed, attempt: attempt + 1, reason }
      : { action: 'discard', records: failed, reason };

  if (!outcome.ok) {
    const reason = `${outcome.errorType}: ${outcome.errorMessage}`;
    if (settings.bisectBatchOnFunctionError && records.length > 1) {
      return { action: 'bisect', halves: bisect(records), attempt };
    }
    return retryOrDiscard(records, reason);
  }
  // Without ReportBatchItemFailures Lambda ignores what the function returns.
  if (!settings.reportBatchItemFailures) return { action: 'done' };
  const report = input.report(outcome.response);
  if (report.kind === 'none') return { action: 'done' };
  const failed = report.kind === 'items' ? failedSuffixes(records, report.items, input.position) : undefined;
  if (!failed) {
    const reason = report.kind === 'invalid' ? report.reason : 'batchItemFailures names a record not in the batch';
    return retryOrDiscard(records, `partial batch response rejected: ${reason}`);
  }
  return retryOrDiscard(failed, `${failed.length} record(s) reported failed`);
}

/**
 * The records to retry after a partial batch response: in each partition with a failure, the
 * lowest failed record and every record after it (Lambda resumes each partition there). Undefined
 * when an identifier names no record of the batch.
 */
export function failedSuffixes<R>(
  records: readonly R[],
  items: readonly FailedItem[],
  position: (record: R) => RecordPosition,
): R[] | undefined {
  const lowest = new Map<string, bigint>();
  for (const item of items) {
    const match = records
      .map(position)
      .find((p) => p.id === item.id && (item.partition ?? p.partition) === p.partition);
    if (!match) return undefined;
    const current = lowest.get(match.partition);
    if (current === undefined || item.id < current) lowest.set(match.partition, item.id);
  }
  return records.filter((r) => {
    const p = position(r);
    const from = lowest.get(p.partition);
    return from !== undefined && p.id >= from;
  });
}

/** Splits a batch in two, keeping order (so each partition's records stay in order across the halves). */
export function bisect<R>(records: readonly R[]): [R[], R[]] {
  const middle = Math.ceil(records.length / 2);
  return [records.slice(0, middle), records.slice(middle)];
}

/** Records older than MaximumRecordAgeInSeconds (-1: none expire), and the rest. */
export function splitExpired<R>(
  records: readonly R[],
  nowMs: number,
  maximumRecordAgeSeconds: number,
  timestampMs: (record: R) => number,
): { expired: R[]; fresh: R[] } {
  if (maximumRecordAgeSeconds < 0) return { expired: [], fresh: [...records] };
  const oldest = nowMs - maximumRecordAgeSeconds * 1000;
  const expired = records.filter((r) => timestampMs(r) < oldest);
  return { expired, fresh: records.filter((r) => !expired.includes(r)) };
}

/** Delay before a retry: exponential from `baseMs`, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return attempt <= 0 ? 0 : Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}

export type DiscardCondition = 'RetriesExhausted' | 'RecordAgeExceeded';

export interface DiscardInfo {
  readonly condition: DiscardCondition;
  /** Invocations these records went through. */
  readonly approximateInvokeCount: number;
  readonly lastOutcome?: InvocationOutcome;
  readonly reason: string;
}

export interface BatchOperations<R> {
  invoke(records: readonly R[]): Promise<InvocationOutcome>;
  /** Sends records to the on-failure destination (or drops them when there is none). */
  discard(records: readonly R[], info: DiscardInfo): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

/** What a poller lends runBatch: its state, and how it invokes its function and discards records. */
export interface PollerHooks<R> {
  /** The mapping's id, named in the error a stopped mapping throws. */
  readonly mappingId: string;
  /** True once the mapping is stopping: no new invocation or discard starts, and waits end at once. */
  readonly stopping: () => boolean;
  /** The mapping's running counts, moved in place (the ListEventSourceMappings view reads them). */
  readonly counters: { invocations: number; busyMs: number; deadLettered: number };
  readonly invoke: (records: readonly R[]) => Promise<InvocationOutcome>;
  /** Told the outcome of every invocation that returned one. */
  readonly invoked: (outcome: InvocationOutcome) => void;
  readonly discard: (records: readonly R[], info: DiscardInfo) => Promise<void>;
}

/**
 * runBatch's operations as every poller runs them, whatever its source: each invocation counted
 * and timed (busyMs), its outcome kept, each discarded record counted, and nothing started once the
 * mapping stops. The source-specific parts (the event an invocation takes, where discards go) are
 * the hooks'.
 */
export function pollerOperations<R>(hooks: PollerHooks<R>): BatchOperations<R> {
  const aborted = () => new Error(`mapping ${hooks.mappingId} stopped`);
  return {
    invoke: async (records) => {
      if (hooks.stopping()) throw aborted();
      hooks.counters.invocations += 1;
      const started = performance.now();
      try {
        const outcome = await hooks.invoke(records);
        hooks.invoked(outcome);
        return outcome;
      } finally {
        hooks.counters.busyMs += performance.now() - started;
      }
    },
    discard: async (records, info) => {
      if (hooks.stopping()) throw aborted();
      await hooks.discard(records, info);
      hooks.counters.deadLettered += records.length;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, hooks.stopping() ? 0 : ms)),
    now: () => Date.now(),
  };
}

export interface BatchResult {
  readonly invocations: number;
  readonly discarded: number;
}

export interface BatchCodec<R> {
  readonly position: (record: R) => RecordPosition;
  readonly timestampMs: (record: R) => number;
  readonly report: (response: unknown) => FailureReport;
}

/** The runner's waits between invocations of failed records (runBatch's default). */
export const DEFAULT_RETRY_BACKOFF = { baseMs: 100, maxMs: 5_000 } as const;

/**
 * The retry budget of a mapping: the longest a record that keeps failing transiently stays with
 * the function before the mapping gives it up. Each attempt may last the whole function timeout
 * (the consumers back off inside the invocation until their safety margin), plus the waits between
 * attempts. Splitting a batch does not count towards the retries, but the consumers answer with a
 * partial batch response, which never splits. Infinity with infinite retries and no destination.
 */
export function retryBudgetMs(
  settings: ErrorHandling,
  timeoutSeconds: number,
  backoff: { readonly baseMs: number; readonly maxMs: number } = DEFAULT_RETRY_BACKOFF,
): number {
  const retries = retryLimit(settings);
  if (!Number.isFinite(retries)) return Infinity;
  let total = 0;
  for (let attempt = 0; attempt <= retries; attempt++) {
    total += timeoutSeconds * 1000 + retryDelayMs(attempt, backoff.baseMs, backoff.maxMs);
  }
  return total;
}

/**
 * Runs a batch to completion: every record ends up processed or discarded (and sent to the
 * on-failure destination). Halves of a split batch run one after the other, first half first, so
 * records of a partition are never processed out of order. Resolves when the batch's positions
 * may be committed.
 */
export async function runBatch<R>(
  records: readonly R[],
  settings: ErrorHandling,
  codec: BatchCodec<R>,
  ops: BatchOperations<R>,
  backoff: { readonly baseMs: number; readonly maxMs: number } = DEFAULT_RETRY_BACKOFF,
): Promise<BatchResult> {
  let invocations = 0;
  let discarded = 0;
  const work: { records: readonly R[]; attempt: number }[] = [{ records, attempt: 0 }];
  while (work.length > 0) {
    const { records: batch, attempt } = work.pop()!;
    const { expired, fresh } = splitExpired(batch, ops.now(), settings.maximumRecordAgeSeconds, codec.timestampMs);
    if (expired.length > 0) {
      await ops.discard(expired, {
        condition: 'RecordAgeExceeded',
        approximateInvokeCount: attempt,
        reason: `older than MaximumRecordAgeInSeconds (${settings.maximumRecordAgeSeconds} s)`,
      });
      discarded += expired.length;
    }
    if (fresh.length === 0) continue;
    await ops.sleep(retryDelayMs(attempt, backoff.baseMs, backoff.maxMs));
    const outcome = await ops.invoke(fresh);
    invocations += 1;
    const decision = decide({ records: fresh, outcome, attempt, settings, ...codec });
    switch (decision.action) {
      case 'done':
        break;
      case 'retry':
        work.push({ records: decision.records, attempt: decision.attempt });
        break;
      case 'bisect':
        work.push({ records: decision.halves[1], attempt }, { records: decision.halves[0], attempt });
        break;
      case 'discard':
        await ops.discard(decision.records, {
          condition: 'RetriesExhausted',
          approximateInvokeCount: attempt + 1,
          lastOutcome: outcome,
          reason: decision.reason,
        });
        discarded += decision.records.length;
        break;
    }
  }
  return { invocations, discarded };
}
