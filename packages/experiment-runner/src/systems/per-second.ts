// The statistics of a run that has per-second figures instead of a history (the LibPaxos sample
// client): throughput over the seconds inside the measurement window (a second is inside when
// its middle is: a short run's window may hold no whole second), and the latency
// those seconds' means allow (a mean weighted by values, the smallest and largest); percentiles
// would need the samples, which the system does not give, so they stay null.

import type { LatencyStats } from "../stats.js";
import type { PerSecond } from "./types.js";

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The seconds whose middle lies inside [fromMs, toMs). */
export function secondsInWindow(ps: readonly PerSecond[], fromMs: number, toMs: number) {
  return ps.filter((s) => s.tMs + 500 >= fromMs && s.tMs + 500 < toMs);
}

export function perSecondStats(ps: readonly PerSecond[], fromMs: number, toMs: number) {
  const inside = secondsInWindow(ps, fromMs, toMs);
  const ops = inside.reduce((n, s) => n + s.ops, 0);
  const timed = inside.filter((s) => s.ops > 0 && s.meanLatencyMs !== null);
  const weighted = timed.reduce((n, s) => n + s.ops * s.meanLatencyMs!, 0);
  const timedOps = timed.reduce((n, s) => n + s.ops, 0);
  const mins = timed.map((s) => s.minLatencyMs).filter((x): x is number => x !== null);
  const maxs = timed.map((s) => s.maxLatencyMs).filter((x): x is number => x !== null);
  const latency: LatencyStats = {
    count: timedOps,
    mean_ms: timedOps === 0 ? null : round3(weighted / timedOps),
    stddev_ms: null,
    min_ms: mins.length === 0 ? null : round3(Math.min(...mins)),
    p50_ms: null,
    p90_ms: null,
    p95_ms: null,
    p99_ms: null,
    p999_ms: null,
    max_ms: maxs.length === 0 ? null : round3(Math.max(...maxs)),
  };
  return {
    completed: ps.reduce((n, s) => n + s.ops, 0),
    inWindow: ops,
    opsPerS: inside.length === 0 ? 0 : round3(ops / inside.length),
    latency,
  };
}
