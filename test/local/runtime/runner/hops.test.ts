import { formatSummary, type RunSummary } from '../../../../local/lab/demo/summary';
import { HopRecorder, summarizeHops } from '../../../../local/runtime/runner/hops';

describe('hop samples', () => {
  it('GIVEN a record produced at 1000, fetched at 1040, taken into a batch at 1540 and done at 1600 WHEN recorded THEN it spent 40 ms in the source, 500 in the window and 60 in the invocation', () => {
    const recorder = new HopRecorder();
    recorder.record(1_040, 1_000, 1_540, 1_600);
    expect(recorder.drain()).toEqual([{ waitMs: 40, windowMs: 500, invokeMs: 60 }]);
    expect(recorder.drain()).toEqual([]);
  });

  it('GIVEN a producer clock ahead of the poller WHEN recorded THEN no time is negative', () => {
    const recorder = new HopRecorder();
    recorder.record(1_000, 1_200, 1_000, 1_010);
    expect(recorder.drain()).toEqual([{ waitMs: 0, windowMs: 0, invokeMs: 10 }]);
  });

  it('GIVEN more samples than the bound WHEN recorded THEN the oldest go first and the count stays bounded', () => {
    const recorder = new HopRecorder(10);
    for (let i = 0; i < 25; i++) recorder.record(i, i, i, i + 1_000 + i);
    const kept = recorder.drain();
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept.at(-1)!.invokeMs).toBe(1_024);
  });

  it('GIVEN samples WHEN summarized THEN each part is a median and the total a p99, and the run summary prints them', () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({ waitMs: i, windowMs: 0, invokeMs: 10 }));
    const summary = summarizeHops('BillingOrdersMapping', samples)!;
    expect(summary).toEqual({
      mapping: 'BillingOrdersMapping',
      records: 100,
      waitMs: 49,
      windowMs: 0,
      invokeMs: 10,
      p99TotalMs: 108,
    });
    expect(summarizeHops('Idle', [])).toBeUndefined();

    const printed = formatSummary({
      ok: true,
      orders: { sent: 0, accepted: 0, refused: 0, byStatus: {}, byPlan: {} },
      topics: {},
      deadLetters: { count: 0, reasons: [] },
      archive: { objects: 0, records: 0, lines: 0 },
      hops: [summary],
      invariants: [],
      problems: [],
    } as RunSummary);
    expect(printed).toMatch(/BillingOrdersMapping\s+49\s+0\s+10\s+p99\s+108\s+\(100 records\)/);
  });
});
