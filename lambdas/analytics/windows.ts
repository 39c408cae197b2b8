import { minuteOf } from '../shared/analytics/analytics-keys';

/**
 * How late a click may arrive and still count in its own minute: the longest window the API
 * serves (the sliding hour). An older click no longer changes any window a reader can ask for.
 */
export const ALLOWED_LATENESS_MS = 60 * 60 * 1000;
/** Clock skew tolerated on a click's timestamp; the API refuses anything further ahead. */
export const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

export interface WindowAssignment {
  /** The tumbling minute the click is counted in. */
  readonly minute: string;
  /** True when the click is older than ALLOWED_LATENESS_MS or too far ahead: counted as late, in no product window. */
  readonly late: boolean;
}

/**
 * The late-click rule (docs/design.md, "Click analytics"): a click counts in the minute of its own
 * timestamp (event time) when it is at most ALLOWED_LATENESS_MS old when processed. An older one,
 * or one stamped in the future beyond the tolerance, is counted as late in the minute it was
 * processed: in the totals and the product's all-time views, but in no product's window.
 */
export function assignWindow(clickedAt: Date, processedAt: Date): WindowAssignment {
  const age = processedAt.getTime() - clickedAt.getTime();
  if (age > ALLOWED_LATENESS_MS || age < -FUTURE_TOLERANCE_MS) return { minute: minuteOf(processedAt), late: true };
  return { minute: minuteOf(clickedAt), late: false };
}
