// The LibPaxos sample client's once-a-second line, and the per-second series of a run made of
// one or more such clients. The client prints, every second, what its own embedded learner
// delivered of its values in that second:
//
//   31860 value/sec, 23.33 Mbps, latency min 110 us max 3980 us avg 378 us
//
// (avg is the client's running integer mean of submit-to-delivery times in microseconds).

import type { PerSecond } from "./types.js";

export interface ClientSecond {
  ops: number;
  minUs: number;
  maxUs: number;
  avgUs: number;
}

const LINE = /^(\d+) value\/sec, [\d.]+ Mbps, latency min (\d+) us max (\d+) us avg (-?\d+) us\s*$/;

/** One stats line, or null for anything else the client prints (connections, logs). */
export function parseClientLine(line: string): ClientSecond | null {
  const m = LINE.exec(line);
  if (!m) return null;
  return {
    ops: Number(m[1]),
    minUs: Number(m[2]),
    maxUs: Number(m[3]),
    avgUs: Number(m[4]),
  };
}

/**
 * The seconds of several clients started together, merged: line k of every client covers
 * [k, k+1) s from the start; ops add up, the mean is weighted by each client's ops. Only
 * seconds that ended by `durationMs` are kept.
 */
export function mergeSeconds(clients: readonly ClientSecond[][], durationMs: number): PerSecond[] {
  const seconds = Math.min(
    Math.floor(durationMs / 1000),
    Math.max(0, ...clients.map((c) => c.length)),
  );
  const out: PerSecond[] = [];
  for (let k = 0; k < seconds; k++) {
    let ops = 0;
    let weighted = 0;
    let min: number | null = null;
    let max: number | null = null;
    for (const c of clients) {
      const s = c[k];
      if (!s || s.ops === 0) continue;
      ops += s.ops;
      weighted += s.ops * s.avgUs;
      min = min === null ? s.minUs : Math.min(min, s.minUs);
      max = max === null ? s.maxUs : Math.max(max, s.maxUs);
    }
    out.push({
      tMs: k * 1000,
      ops,
      meanLatencyMs: ops === 0 ? null : weighted / ops / 1000,
      minLatencyMs: min === null ? null : min / 1000,
      maxLatencyMs: max === null ? null : max / 1000,
    });
  }
  return out;
}
