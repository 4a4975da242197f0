// Statistics of experiment results: latency percentiles from raw samples (core's one quantile
// rule, as in the runner's summary.json, so the numbers agree), mean, standard deviation and
// Student-t confidence intervals over repetitions, completed operations per second inside the
// measurement window (warm-up and cool-down excluded), and the empirical CDF of a sample thinned
// to a size a plot can carry.

import { quantile } from "@paxos/core";
import { mean, sampleStandardDeviation } from "simple-statistics";

/** The percentiles every report shows, in order. */
export const PERCENTILES = [
  { key: "p50", p: 0.5, label: "p50" },
  { key: "p90", p: 0.9, label: "p90" },
  { key: "p99", p: 0.99, label: "p99" },
  { key: "p999", p: 0.999, label: "p99.9" },
] as const;

export interface Percentiles {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Percentiles of a sample (ms), by nearest rank (core's `quantile`); null when empty. */
export function percentiles(samples: readonly number[]): Percentiles | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const xs = Array.from(sorted);
  return {
    count: xs.length,
    min: xs[0]!,
    p50: quantile(xs, 0.5),
    p90: quantile(xs, 0.9),
    p99: quantile(xs, 0.99),
    p999: quantile(xs, 0.999),
    max: xs[xs.length - 1]!,
    mean: mean(xs),
  };
}

/**
 * The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9;
 * simple-statistics' probit is only good to about 3e-3, too coarse for interval widths).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * The two-sided Student-t quantile: t such that P(|T| <= t) = level with `df` degrees of freedom
 * (Hill 1970, CACM algorithm 396; exact for df 1 and 2, within 1e-4 of the tables above).
 */
export function tQuantile(df: number, level = 0.95): number {
  if (!(df >= 1) || !Number.isFinite(df)) throw new RangeError(`df must be >= 1, got ${df}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const p = 1 - level; // two-tailed probability
  const n = df;
  if (n === 1) return Math.cos((p * Math.PI) / 2) / Math.sin((p * Math.PI) / 2);
  if (n === 2) return Math.sqrt(2 / (p * (2 - p)) - 2);
  const a = 1 / (n - 0.5);
  const b = 48 / (a * a);
  let c = ((((20700 * a) / b - 98) * a - 16) * a + 96.36) as number;
  const d = ((94.5 / (b + c) - 3) / b + 1) * Math.sqrt((a * Math.PI) / 2) * n;
  let x = d * p;
  let y = x ** (2 / n);
  if (y > 0.05 + a) {
    x = normalQuantile(p * 0.5);
    y = x * x;
    if (n < 5) c += 0.3 * (n - 4.5) * (x + 0.6);
    c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c;
    y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x;
    y = a * y * y;
    y = y > 0.002 ? Math.exp(y) - 1 : 0.5 * y * y + y;
  } else {
    y =
      ((1 / (((n + 6) / (n * y) - 0.089 * d - 0.822) * (n + 2) * 3) + 0.5 / (n + 4)) * y - 1) *
        ((n + 1) / (n + 2)) +
      1 / y;
  }
  return Math.sqrt(n * y);
}

export interface Estimate {
  /** how many values (repetitions) */
  n: number;
  mean: number;
  /** sample standard deviation (n - 1); 0 for a single value */
  sd: number;
  /** the confidence interval of the mean; null with fewer than two values */
  ci: { level: number; low: number; high: number; halfWidth: number } | null;
}

/** Mean, sample standard deviation and the Student-t confidence interval of the mean. */
export function estimate(values: readonly number[], level = 0.95): Estimate | null {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return null;
  const m = mean(xs);
  if (xs.length < 2) return { n: xs.length, mean: m, sd: 0, ci: null };
  const sd = sampleStandardDeviation(xs);
  const half = (tQuantile(xs.length - 1, level) * sd) / Math.sqrt(xs.length);
  return {
    n: xs.length,
    mean: m,
    sd,
    ci: { level, low: m - half, high: m + half, halfWidth: half },
  };
}

export interface RateBin {
  /** start of the bin, ms from the start of the run */
  fromMs: number;
  /** width of the bin (the last may be shorter), ms */
  widthMs: number;
  ops: number;
  opsPerS: number;
}

/**
 * Completed operations per second inside the measurement window [fromMs, toMs): bins of `binMs`
 * starting at fromMs (the last one cut at toMs), so warm-up and cool-down fall outside.
 * `completions` are the times operations returned, ms from the start of the run.
 */
export function throughputPerSecond(
  completions: readonly number[],
  window: { fromMs: number; toMs: number },
  binMs = 1000,
): RateBin[] {
  const { fromMs, toMs } = window;
  if (!(binMs > 0)) throw new RangeError(`binMs must be positive, got ${binMs}`);
  if (!(toMs > fromMs)) return [];
  const count = Math.ceil((toMs - fromMs) / binMs);
  const ops = new Array<number>(count).fill(0);
  for (const t of completions) {
    if (t < fromMs || t >= toMs) continue;
    const i = Math.min(count - 1, Math.floor((t - fromMs) / binMs));
    ops[i]!++;
  }
  return ops.map((n, i) => {
    const from = fromMs + i * binMs;
    const width = Math.min(binMs, toMs - from);
    return { fromMs: from, widthMs: width, ops: n, opsPerS: (n * 1000) / width };
  });
}

/** Operations per second over the whole window: completions inside it / its length. */
export function windowThroughput(
  completions: readonly number[],
  window: { fromMs: number; toMs: number },
): number {
  const span = window.toMs - window.fromMs;
  if (!(span > 0)) return 0;
  let n = 0;
  for (const t of completions) if (t >= window.fromMs && t < window.toMs) n++;
  return (n * 1000) / span;
}

export interface CdfPoint {
  /** the sample value (ms) */
  value: number;
  /** the fraction of samples <= value */
  fraction: number;
}

/**
 * The empirical CDF of a sample, thinned to at most `maxPoints` steps: evenly spaced in rank
 * over the body plus every step of the last 1% (the tail a log-x CDF is read for), always with
 * the minimum and the maximum.
 */
export function ecdf(samples: readonly number[], maxPoints = 400): CdfPoint[] {
  const n = samples.length;
  if (n === 0) return [];
  const sorted = Array.from(Float64Array.from(samples).sort());
  const ranks = new Set<number>();
  const tailFrom = Math.max(0, Math.floor(n * 0.99));
  const tailBudget = Math.min(n - tailFrom, Math.floor(maxPoints / 4));
  const bodyBudget = Math.max(2, maxPoints - tailBudget);
  for (let k = 0; k < bodyBudget; k++) ranks.add(Math.round((k * (n - 1)) / (bodyBudget - 1)));
  const tailStep = Math.max(1, Math.ceil((n - tailFrom) / Math.max(1, tailBudget)));
  for (let i = tailFrom; i < n; i += tailStep) ranks.add(i);
  ranks.add(n - 1);
  const out: CdfPoint[] = [];
  for (const i of [...ranks].sort((a, b) => a - b)) {
    // the last index with this value, so the fraction is P(X <= value)
    let j = i;
    while (j + 1 < n && sorted[j + 1] === sorted[i]) j++;
    const last = out[out.length - 1];
    const point = { value: sorted[i]!, fraction: (j + 1) / n };
    if (last && last.value === point.value) last.fraction = point.fraction;
    else out.push(point);
  }
  return out;
}
