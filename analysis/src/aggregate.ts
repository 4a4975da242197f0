// From runs to variants: per run the throughput of the measurement window and the latency
// percentiles of its raw samples; per variant the mean, standard deviation and 95% confidence
// interval of each over the repetitions, the percentiles of all repetitions' samples pooled
// (the CDF), the checks' verdicts counted, and the faults' effects.

import { maxOf } from "./extent.js";
import type { ResultsDir, RunData, VariantInfo } from "./results.js";
import type { LatencyStats } from "./run-summary.js";
import {
  type Estimate,
  estimate,
  type Percentiles,
  percentiles,
  throughputPerSecond,
  windowThroughput,
} from "./stats.js";

export interface RunStats {
  run: RunData;
  window: { fromMs: number; toMs: number };
  /** ops/s over the measurement window */
  throughput: number;
  latency: Percentiles | null;
  /** completed operations per second inside the window (1 s bins, the last may be shorter) */
  perSecond: { fromMs: number; opsPerS: number }[];
}

export interface CheckCount {
  name: string;
  kind: "safety" | "liveness" | "run";
  runs: number;
  passed: number;
  failed: number;
  undecided: number;
  /** the first violation seen, for the report */
  firstViolation: string | null;
}

export interface FaultStats {
  atMs: number;
  what: string;
  unavailableMs: Estimate | null;
  recoveryMs: Estimate | null;
  /** runs after which throughput never came back to half its earlier rate */
  neverRecovered: number;
}

export interface VariantStats {
  info: VariantInfo;
  runs: RunStats[];
  throughput: Estimate | null;
  p50: Estimate | null;
  p90: Estimate | null;
  p99: Estimate | null;
  p999: Estimate | null;
  meanLatency: Estimate | null;
  /** the largest latency of any repetition */
  max: number | null;
  /** all repetitions' samples together */
  pooled: Percentiles | null;
  pooledSamples: number[];
  checks: CheckCount[];
  verdict: "ok" | "failed" | "undecided";
  faults: FaultStats[];
  leadershipChanges: Estimate | null;
}

export interface ExperimentStats {
  results: ResultsDir;
  variants: VariantStats[];
  /** the time base of every number: "simulated" (virtual ms) or "wall-clock" */
  time: "simulated" | "wall-clock";
  confidence: number;
}

function runStats(run: RunData): RunStats {
  const window = { fromMs: run.summary.window.from_ms, toMs: run.summary.window.to_ms };
  const haveRaw = run.source !== "none";
  return {
    run,
    window,
    throughput: haveRaw
      ? windowThroughput(run.completions, window)
      : Number(run.summary.throughput.ops_per_s ?? 0),
    latency: haveRaw ? percentiles(run.samples) : fromSummary(run),
    perSecond: throughputPerSecond(run.completions, window, 1000).map((b) => ({
      fromMs: b.fromMs,
      opsPerS: b.opsPerS,
    })),
  };
}

/**
 * Percentiles as summary.json has them, for a run whose raw samples are gone; null for a system
 * that reports per-second means only (no percentiles: see `meanOnly`).
 */
function fromSummary(run: RunData): Percentiles | null {
  const l = run.summary.latency;
  // an old or hand-made summary.json may lack a figure: read each as maybe-missing
  const get = (k: keyof LatencyStats) => (typeof l[k] === "number" ? l[k] : null);
  const count = get("count");
  if (!count || get("p50_ms") === null) return null;
  return {
    count,
    min: get("min_ms") ?? 0,
    p50: get("p50_ms") ?? 0,
    p90: get("p90_ms") ?? 0,
    p99: get("p99_ms") ?? 0,
    p999: get("p999_ms") ?? 0,
    max: get("max_ms") ?? 0,
    mean: get("mean_ms") ?? 0,
  };
}

function countChecks(runs: readonly RunData[]): CheckCount[] {
  const byName = new Map<string, CheckCount>();
  for (const r of runs) {
    for (const c of r.checks) {
      const e = byName.get(c.name) ?? {
        name: c.name,
        kind: c.kind,
        runs: 0,
        passed: 0,
        failed: 0,
        undecided: 0,
        firstViolation: null,
      };
      e.runs++;
      if (c.passed) e.passed++;
      else if (c.inconclusive) e.undecided++;
      else e.failed++;
      if (!c.passed && e.firstViolation === null) {
        e.firstViolation = `rep ${r.repetition} (seed ${r.seed}): ${c.violations[0] ?? "failed"}`;
      }
      byName.set(c.name, e);
    }
  }
  return [...byName.values()];
}

function faultStats(runs: readonly RunData[], level: number): FaultStats[] {
  const first = runs[0]?.summary.faults ?? [];
  return first.map((f, i) => {
    const same = runs.map((r) => r.summary.faults[i]).filter((x) => x !== undefined);
    const whats = new Set(same.map((x) => x.what));
    const un = same.map((x) => x.unavailable_ms).filter((x): x is number => x !== null);
    const rec = same.map((x) => x.recovery_ms).filter((x): x is number => x !== null);
    return {
      atMs: f.at_ms,
      what: whats.size === 1 ? f.what : `${f.what} (the node differs between repetitions)`,
      unavailableMs: estimate(un, level),
      recoveryMs: estimate(rec, level),
      neverRecovered: same.filter((x) => x.recovery_ms === null).length,
    };
  });
}

/** mean and max latency of a run with no percentiles (per-second means only), from its summary */
function meanOnly(run: RunData): { mean: number; max: number | null } | null {
  const l = run.summary.latency;
  return typeof l.mean_ms === "number"
    ? { mean: l.mean_ms, max: typeof l.max_ms === "number" ? l.max_ms : null }
    : null;
}

export function variantStats(info: VariantInfo, level = 0.95): VariantStats {
  const runs = info.runs.map(runStats);
  const lat = runs.map((r) => r.latency).filter((l): l is Percentiles => l !== null);
  const means = runs
    .filter((r) => r.latency === null)
    .map((r) => meanOnly(r.run))
    .filter((m) => m !== null);
  const maxes = [
    ...lat.map((l) => l.max),
    ...means.flatMap((m) => (m.max === null ? [] : [m.max])),
  ];
  const pooledSamples = info.runs.flatMap((r) => r.samples);
  const checks = countChecks(info.runs);
  const verdict = checks.some((c) => c.failed > 0)
    ? "failed"
    : checks.some((c) => c.undecided > 0)
      ? "undecided"
      : "ok";
  return {
    info,
    runs,
    throughput: estimate(
      runs.map((r) => r.throughput),
      level,
    ),
    p50: estimate(
      lat.map((l) => l.p50),
      level,
    ),
    p90: estimate(
      lat.map((l) => l.p90),
      level,
    ),
    p99: estimate(
      lat.map((l) => l.p99),
      level,
    ),
    p999: estimate(
      lat.map((l) => l.p999),
      level,
    ),
    meanLatency: estimate([...lat.map((l) => l.mean), ...means.map((m) => m.mean)], level),
    max: maxes.length === 0 ? null : maxOf(maxes),
    pooled: percentiles(pooledSamples),
    pooledSamples,
    checks,
    verdict,
    faults: faultStats(info.runs, level),
    leadershipChanges: estimate(
      info.runs.map((r) => Number(r.summary.leadership_changes ?? 0)),
      level,
    ),
  };
}

export function experimentStats(results: ResultsDir, level = 0.95): ExperimentStats {
  return {
    results,
    variants: results.variants.map((v) => variantStats(v, level)),
    time: results.time,
    confidence: level,
  };
}

/** A sweep: flexible or majority variants with known sizes, some cluster size with 2+ of them. */
export function sweepPoints(stats: ExperimentStats): VariantStats[] | null {
  const known = stats.variants.filter(
    (v) => v.info.acceptors !== null && v.info.phase2 !== null && v.throughput !== null,
  );
  // a majority variant that repeats a flexible variant's (n, |Q2|) would fold a line back
  const seen = new Set<string>();
  const points: VariantStats[] = [];
  const ordered = [...known].sort((a, b) =>
    a.info.kind === b.info.kind ? a.info.index - b.info.index : a.info.kind === "flexible" ? -1 : 1,
  );
  for (const v of ordered) {
    const key = `${v.info.acceptors}/${v.info.phase2}`;
    if (seen.has(key)) continue;
    seen.add(key);
    points.push(v);
  }
  if (points.length < 3) return null;
  const perN = new Map<number, Set<number>>();
  for (const v of points) {
    const s = perN.get(v.info.acceptors!) ?? new Set<number>();
    s.add(v.info.phase2!);
    perN.set(v.info.acceptors!, s);
  }
  if (![...perN.values()].some((s) => s.size >= 2)) return null;
  return points.sort((a, b) => a.info.index - b.info.index);
}
