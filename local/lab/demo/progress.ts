/**
 * The progress line of a demo run on stderr: a bar redrawn in place when stderr is a terminal,
 * plain lines every few seconds otherwise (CI logs, a pipe), so logs stay readable.
 */
export interface ProgressState {
  readonly total: number;
  readonly placed: number;
  readonly terminal: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Demo clicks posted so far, of how many (`--clicks N`). */
  readonly clicks?: { readonly posted: number; readonly total: number };
}

export class ProgressReporter {
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastLine = '';
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainIntervalMs = 3_000,
  ) {}

  update(state: ProgressState): void {
    const now = Date.now();
    if (this.stream.isTTY) {
      if (now - this.lastDraw < 100) return;
      this.lastDraw = now;
      const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 60));
      const filled = state.total ? Math.round((state.terminal / state.total) * width) : 0;
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      this.stream.write(`\r\x1b[K[${bar}] ${this.describe(state)}`);
      this.drawn = true;
      return;
    }
    const line = this.describe(state);
    if (now - this.lastDraw < this.plainIntervalMs || line === this.lastLine) return;
    this.lastDraw = now;
    this.lastLine = line;
    this.stream.write(`${line}\n`);
  }

  /** Ends the bar's line (or prints the final state as a plain line). */
  finish(state: ProgressState): void {
    if (this.stream.isTTY) {
      this.lastDraw = 0;
      this.update(state);
      if (this.drawn) this.stream.write('\n');
    } else {
      this.stream.write(`${this.describe(state)}\n`);
    }
  }

  private describe(state: ProgressState): string {
    const counts = Object.entries(state.counts)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ');
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(1);
    const clicks = state.clicks ? `, clicks ${state.clicks.posted}/${state.clicks.total}` : '';
    return `${state.terminal}/${state.total} terminal, ${state.placed} placed${counts ? ` (${counts})` : ''}${clicks} ${elapsed} s`;
  }
}
