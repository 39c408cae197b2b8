/** A duration in milliseconds as the lab prints it: seconds with one decimal, e.g. `12.3 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
