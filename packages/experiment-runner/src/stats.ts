// Statistics of one run: latency percentiles and throughput over the measurement window
// (warm-up and cool-down excluded), throughput over time, and the effect of each fault
// (how long commits stopped, how long until throughput came back).

import type { FaultEffect, LatencyStats, RunSummary } from "@paxos/analysis";
import { quantile } from "@paxos/core";
import { mean, standardDeviation } from "simple-statistics";
import { type HistoryRecord, kindOf, type RunOutcome } from "./run/types.js";
import { perSecondStats } from "./systems/per-second.js";

export interface TimelinePoint {
  /** start of the bucket, ms from the start of the run */
  t_ms: number;
  ops: number;
  ops_per_s: number;
}

// summary.json's format is defined once, in @paxos/analysis, which reads it
export type { FaultEffect, LatencyStats, RunSummary as Summary } from "@paxos/analysis";

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function latencyStats(samples: number[]): LatencyStats {
  if (samples.length === 0) {
    return {
      count: 0,
      mean_ms: null,
      stddev_ms: null,
      min_ms: null,
      p50_ms: null,
      p90_ms: null,
      p95_ms: null,
      p99_ms: null,
      p999_ms: null,
      max_ms: null,
    };
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => round3(quantile(sorted, p));
  return {
    count: sorted.length,
    mean_ms: round3(mean(sorted)),
    stddev_ms: sorted.length > 1 ? round3(standardDeviation(sorted)) : 0,
    min_ms: round3(sorted[0]!),
    p50_ms: q(0.5),
    p90_ms: q(0.9),
    p95_ms: q(0.95),
    p99_ms: q(0.99),
    p999_ms: q(0.999),
    max_ms: round3(sorted[sorted.length - 1]!),
  };
}

/** Completed operations per bucket over [0, durationMs). */
export function timeline(
  history: readonly HistoryRecord[],
  durationMs: number,
  bucketMs: number,
): TimelinePoint[] {
  const buckets = Math.max(1, Math.ceil(durationMs / bucketMs));
  const counts = new Array<number>(buckets).fill(0);
  for (const h of history) {
    if (h.returnedAt === null) continue;
    const b = Math.floor(h.returnedAt / bucketMs);
    if (b >= 0 && b < buckets) counts[b]!++;
  }
  return counts.map((ops, i) => ({
    t_ms: i * bucketMs,
    ops,
    ops_per_s: round3((ops * 1000) / bucketMs),
  }));
}

/** Bucket width for the throughput timeline: a second, finer for short runs. */
export function bucketFor(durationMs: number): number {
  if (durationMs >= 20_000) return 1000;
  if (durationMs >= 2_000) return 100;
  return 50;
}

export function faultEffects(o: RunOutcome): FaultEffect[] {
  const returns = o.history
    .map((h) => h.returnedAt)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  return o.faults.map((f) => {
    // Unavailability: the longest gap between completions that begins within 1 s after the fault.
    let unavailable: number | null = null;
    let prev = f.atMs;
    for (const t of returns) {
      if (t < f.atMs) continue;
      if (prev > f.atMs + 1000) break;
      const gap = t - prev;
      if (unavailable === null || gap > unavailable) unavailable = gap;
      prev = t;
    }
    if (prev <= f.atMs + 1000 && o.durationMs - prev > (unavailable ?? 0)) {
      unavailable = o.durationMs - prev;
    }
    // Recovery: the first 100 ms window after the fault whose rate is >= half the rate before.
    const from = Math.max(o.warmupMs, f.atMs - 2000);
    const before = returns.filter((t) => t >= from && t < f.atMs).length;
    const preRate = f.atMs > from ? before / (f.atMs - from) : 0;
    let recovery: number | null = null;
    if (preRate > 0) {
      const win = 100;
      let lo = 0;
      let hi = 0;
      for (let start = f.atMs; start + win <= o.durationMs; start += 10) {
        while (lo < returns.length && returns[lo]! < start) lo++;
        if (hi < lo) hi = lo;
        while (hi < returns.length && returns[hi]! < start + win) hi++;
        if ((hi - lo) / win >= preRate / 2) {
          recovery = start + win - f.atMs;
          break;
        }
      }
    }
    return {
      at_ms: f.atMs,
      what: f.what,
      unavailable_ms: unavailable === null ? null : round3(unavailable),
      recovery_ms: recovery === null ? null : round3(recovery),
    };
  });
}

export function summarize(experiment: string, o: RunOutcome): RunSummary {
  const from = o.warmupMs;
  const to = o.durationMs - o.cooldownMs;
  const samples: number[] = [];
  let completed = 0;
  for (const h of o.history) {
    if (h.returnedAt === null) continue;
    completed++;
    if (h.returnedAt >= from && h.returnedAt < to) samples.push(h.returnedAt - h.invokedAt);
  }
  // a system with per-second figures only (no history): its own statistics
  const ps = o.perSecond ? perSecondStats(o.perSecond, from, to) : null;
  if (ps) completed = ps.completed;
  const failedChecks = o.checks.filter((c) => !c.passed && !c.inconclusive);
  const failed = failedChecks.map((c) => c.name);
  const inconclusive = o.checks.filter((c) => !c.passed && c.inconclusive).map((c) => c.name);
  if (o.error !== undefined) failed.push("completed");
  const checks: RunSummary["checks"] = {
    passed: failed.length === 0 && inconclusive.length === 0,
    total: o.checks.length,
    failed,
    inconclusive,
    // what the failures mean: something wrong done (safety) or something not done (liveness)
    failed_safety: failedChecks.filter((c) => kindOf(c) === "safety").map((c) => c.name),
    failed_liveness: failedChecks.filter((c) => kindOf(c) === "liveness").map((c) => c.name),
  };
  for (const c of o.checks) {
    checks[c.name] = {
      passed: c.passed,
      kind: kindOf(c),
      violations: c.violations,
      ...(c.inconclusive ? { inconclusive: true } : {}),
    };
  }
  return {
    experiment,
    variant: o.variant,
    quorum: o.quorum,
    repetition: o.repetition,
    seed: o.seed,
    mode: o.mode,
    time: o.time,
    note:
      o.time === "simulated"
        ? "all times and rates are in simulated (virtual) time, not wall-clock time"
        : "times and rates are wall-clock, measured on this machine",
    started_at: o.startedAt,
    wall_ms: Math.round(o.wallMs),
    window: { from_ms: from, to_ms: to },
    ops: ps
      ? { invoked: completed, completed, in_window: ps.inWindow, unfinished: 0 }
      : {
          invoked: o.history.length,
          completed,
          in_window: samples.length,
          unfinished: o.history.length - completed,
        },
    throughput: {
      ops_per_s: ps ? ps.opsPerS : to > from ? round3((samples.length * 1000) / (to - from)) : 0,
    },
    latency: ps ? ps.latency : latencyStats(samples),
    checks,
    faults: faultEffects(o),
    leadership_changes: o.leadership.filter((l) => l.active).length,
    engine:
      o.engine === undefined
        ? null
        : {
            slots: o.engine.slots,
            commands: o.engine.commands,
            commands_per_slot:
              o.engine.slots > 0 ? round3(o.engine.commands / o.engine.slots) : null,
            messages_per_command:
              o.engine.commands > 0 ? round3(o.engine.messages / o.engine.commands) : null,
          },
    error: o.error ?? null,
    extra: o.extra,
    ...(o.system ? { system: o.system } : {}),
  };
}

/** Flattens nested objects into dotted keys: {latency: {p99_ms: 3}} -> {"latency.p99_ms": 3}. */
export function flatten(
  value: Record<string, unknown>,
  prefix = "",
  out: Record<string, string | number | boolean | null> = {},
): Record<string, string | number | boolean | null> {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v === null || v === undefined) out[key] = null;
    else if (Array.isArray(v)) out[key] = JSON.stringify(v);
    else if (typeof v === "object") flatten(v as Record<string, unknown>, key, out);
    else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") out[key] = v;
    else out[key] = String(v);
  }
  return out;
}
