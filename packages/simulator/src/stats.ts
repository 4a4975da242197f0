// Small summary statistics over latency samples (ms), percentiles by core's one rule.

import { quantile } from "@paxos/core";

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  const n = sorted.length;
  return {
    count: n,
    meanMs: n > 0 ? sum / n : Number.NaN,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: n > 0 ? sorted[n - 1]! : Number.NaN,
  };
}
