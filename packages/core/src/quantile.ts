// The one percentile rule of the toolkit, used by the simulator's summaries, the runner's
// summary.json and the analysis' reports alike, so that their figures agree: nearest rank, so
// that every percentile is a latency some operation really had. It lives in core because core is
// what the simulator, the runner and the analysis have in common.

/**
 * The nearest-rank quantile `q` (0..1; 0.99 is p99) of an ascending array: its ceil(q * n)-th
 * smallest value (the smallest for q = 0); NaN when the array is empty.
 */
export function quantile(sortedAscending: ArrayLike<number>, q: number): number {
  const n = sortedAscending.length;
  if (n === 0) return Number.NaN;
  // q * n can land a hair above a whole number (0.07 * 100 = 7.000000000000001): not a rank up
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n - 1e-9) - 1));
  return sortedAscending[rank]!;
}
