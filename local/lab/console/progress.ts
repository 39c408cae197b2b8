/**
 * Progress of a long produce on stderr: a bar redrawn in place on a terminal, plain lines every
 * few seconds otherwise (a pipe, CI logs), as `npm run local` reports its orders.
 */
export interface ProduceProgress {
  readonly records: number;
  /** Bytes of the input read so far, and its size (a file); undefined for stdin. */
  readonly bytesRead?: number;
  readonly totalBytes?: number;
}

export class ProgressLine {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainIntervalMs = 2_000,
  ) {
    // Plain lines start after the first interval: a small file gets its summary line only.
    if (!stream.isTTY) this.lastDraw = this.started;
  }

  update(progress: ProduceProgress): void {
    const now = Date.now();
    if (now - this.lastDraw < (this.stream.isTTY ? 100 : this.plainIntervalMs)) return;
    this.lastDraw = now;
    if (this.stream.isTTY) {
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 50));
      const share = progress.totalBytes ? Math.min(1, (progress.bytesRead ?? 0) / progress.totalBytes) : 0;
      const filled = Math.round(share * width);
      const bar = progress.totalBytes ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
      this.stream.write(`\r\x1b[K${bar}${describe(progress, this.started)}`);
      this.drawn = true;
    } else {
      this.stream.write(`${describe(progress, this.started)}\n`);
    }
  }

  /** Ends the bar's line, so that what follows starts on a line of its own. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

function describe(progress: ProduceProgress, started: number): string {
  const share = progress.totalBytes
    ? ` (${Math.floor((100 * (progress.bytesRead ?? 0)) / progress.totalBytes)}% of ${megabytes(progress.totalBytes)})`
    : '';
  return `${progress.records} records sent${share}, ${((Date.now() - started) / 1000).toFixed(1)} s`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
