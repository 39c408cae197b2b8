/**
 * Where a record's time goes on one event source mapping, measured by the runner that plays the
 * mapping: `waitMs` in the source (from the record's timestamp, its producer's clock, to the poll
 * that fetched it), `windowMs` in the batching window (fetched to taken into a batch), `invokeMs`
 * in the invocation (taken to done, retries included). The runner has one batch in flight per
 * mapping, so `windowMs` also holds the time a record queued behind the batch in flight. AWS shows
 * only the sum of the first two (a record's age when its function starts); the runner can tell
 * them apart. DynamoDB stream records count from the read (see dynamodb-stream-poller.ts).
 */
export interface HopSample {
  readonly waitMs: number;
  readonly windowMs: number;
  readonly invokeMs: number;
}

/** The samples of one mapping since they were last drained, bounded: the oldest half goes first. */
export class HopRecorder {
  private samples: HopSample[] = [];

  constructor(private readonly limit = 50_000) {}

  record(fetchedAt: number, sourceTimestamp: number, takenAt: number, doneAt: number): void {
    if (this.samples.length >= this.limit) this.samples = this.samples.slice(this.limit / 2);
    this.samples.push({
      waitMs: Math.max(0, fetchedAt - sourceTimestamp),
      windowMs: Math.max(0, takenAt - fetchedAt),
      invokeMs: Math.max(0, doneAt - takenAt),
    });
  }

  drain(): HopSample[] {
    const drained = this.samples;
    this.samples = [];
    return drained;
  }
}

export interface HopSummary {
  readonly mapping: string;
  readonly records: number;
  /** Medians of the samples. */
  readonly waitMs: number;
  readonly windowMs: number;
  readonly invokeMs: number;
  /** The 99th percentile of each record's whole time on the mapping (wait + window + invocation). */
  readonly p99TotalMs: number;
}

export function summarizeHops(mapping: string, samples: readonly HopSample[]): HopSummary | undefined {
  if (samples.length === 0) return undefined;
  const p = (values: number[], q: number) => {
    const sorted = values.sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!);
  };
  return {
    mapping,
    records: samples.length,
    waitMs: p(
      samples.map((s) => s.waitMs),
      50,
    ),
    windowMs: p(
      samples.map((s) => s.windowMs),
      50,
    ),
    invokeMs: p(
      samples.map((s) => s.invokeMs),
      50,
    ),
    p99TotalMs: p(
      samples.map((s) => s.waitMs + s.windowMs + s.invokeMs),
      99,
    ),
  };
}
