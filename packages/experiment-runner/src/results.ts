// The results folder of one `paxos-lab run` (Maelstrom's store layout, Frankenpaxos's CSV):
//
//   experiments/results/<utc-time>_<name>/
//     config.json          the resolved config (defaults filled in, sweeps expanded)
//     env.json             git commit, Node version, CPU, mode
//     results.csv          one row per run, dotted column names (latency.p99_ms, ...)
//     summary.txt          the summary table as printed
//     <NN-variant>/rep-<r>/
//       summary.json       statistics, checks, fault effects of this run
//       history.ndjson     every client operation, one JSON object a line
//       latency.csv        raw latency samples: returned_at_ms, latency_ms, in_window
//       throughput.csv     completed operations over time: t_ms, ops, ops_per_s
//       events.json        faults as applied and leadership changes
//       per-second.csv     instead of history and latency, for a system that reports only
//                          per-second figures (LibPaxos): t_ms, ops, latency mean/min/max
//       checks.json        the linearizability check of the history: verdict, time taken,
//                          operations checked; on a violation the failing slice, explained
//       linearizability-failure.svg   the failing slice as a timeline (only on a violation)
//       logs/              node and load-generator logs (local mode)
//   experiments/results/latest -> <utc-time>_<name>

import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, hostname, platform, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Mode, ResolvedConfig } from "./config/types.js";
import type { RunOutcome } from "./run/types.js";
import { bucketFor, flatten, type Summary, timeline } from "./stats.js";
import type { PerSecond } from "./systems/types.js";

/** The workspace root (the folder with pnpm-workspace.yaml above `from`), else `from`. */
export function findRoot(from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(from);
    dir = up;
  }
}

export function defaultResultsBase(): string {
  return join(findRoot(), "experiments", "results");
}

/** 2025-01-31T12:00:00.123Z -> 20250131T120000Z */
export function utcStamp(d = new Date()): string {
  return `${d.toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
}

/** Creates <base>/<utc>_<name>/ (with a suffix if taken) and points <base>/latest at it. */
export function createRunDir(base: string, name: string, now = new Date()): string {
  mkdirSync(base, { recursive: true });
  const stem = `${utcStamp(now)}_${name}`;
  let dir = join(base, stem);
  for (let i = 2; existsSync(dir); i++) dir = join(base, `${stem}-${i}`);
  mkdirSync(dir);
  updateLatest(base, dir);
  return dir;
}

function updateLatest(base: string, dir: string): void {
  const link = join(base, "latest");
  const target = dir.slice(base.length + 1);
  const tmp = join(base, `.latest-${process.pid}`);
  try {
    if (existsSync(tmp)) unlinkSync(tmp);
    symlinkSync(target, tmp);
    renameSync(tmp, link); // atomic replace
  } catch {
    try {
      if (existsSync(link) || readlinkSafe(link)) unlinkSync(link);
      symlinkSync(target, link);
    } catch {
      // a file system without symlinks: the folder is still there, only `latest` is missing
    }
  }
}

function readlinkSafe(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function git(args: string[], cwd: string): string | null {
  try {
    return execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "ignore"], timeout: 5000 })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

export function environment(mode: Mode, extra: Record<string, unknown> = {}) {
  const root = findRoot();
  const status = git(["status", "--porcelain"], root);
  const cpu = cpus();
  return {
    git: {
      commit: git(["rev-parse", "HEAD"], root),
      dirty: status === null ? null : status.length > 0,
    },
    node: process.version,
    platform: `${platform()} ${release()}`,
    hostname: hostname(),
    cpu: { model: cpu[0]?.model ?? "unknown", count: cpu.length },
    memory_bytes: totalmem(),
    mode,
    time: mode === "sim" ? "simulated" : "wall-clock",
    argv: process.argv.slice(2),
    ...extra,
  };
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** "02-flexible-n-5-p1-4-p2-2" */
export function variantDir(index: number, label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `${String(index + 1).padStart(2, "0")}-${slug || "variant"}`;
}

export function runDir(root: string, variantIndex: number, label: string, rep: number): string {
  return join(root, variantDir(variantIndex, label), `rep-${rep}`);
}

/** Writes one run's files; returns its folder. */
export function writeRun(dir: string, outcome: RunOutcome, summary: Summary): void {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, "summary.json"), summary);
  if (outcome.perSecond) {
    writePerSecond(dir, outcome.perSecond);
    writeJson(join(dir, "events.json"), { time: outcome.time, faults: [], leadership: [] });
    return;
  }
  const lines: string[] = [];
  for (const h of outcome.history) {
    lines.push(
      JSON.stringify({
        clientId: h.clientId,
        seq: h.seq,
        op: h.op,
        result: h.result,
        invokedAt: h.invokedAt,
        returnedAt: h.returnedAt,
      }),
    );
  }
  writeFileSync(join(dir, "history.ndjson"), lines.length > 0 ? `${lines.join("\n")}\n` : "");
  const from = summary.window.from_ms;
  const to = summary.window.to_ms;
  const lat = ["returned_at_ms,latency_ms,in_window"];
  for (const h of outcome.history) {
    if (h.returnedAt === null) continue;
    const inWindow = h.returnedAt >= from && h.returnedAt < to;
    lat.push(`${r3(h.returnedAt)},${r3(h.returnedAt - h.invokedAt)},${inWindow ? 1 : 0}`);
  }
  writeFileSync(join(dir, "latency.csv"), `${lat.join("\n")}\n`);
  const bucket = bucketFor(outcome.durationMs);
  const tl = ["t_ms,ops,ops_per_s"];
  for (const p of timeline(outcome.history, outcome.durationMs, bucket)) {
    tl.push(`${p.t_ms},${p.ops},${p.ops_per_s}`);
  }
  writeFileSync(join(dir, "throughput.csv"), `${tl.join("\n")}\n`);
  writeJson(join(dir, "events.json"), {
    time: outcome.time,
    faults: outcome.faults,
    leadership: outcome.leadership,
  });
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** per-second.csv and, from it, throughput.csv (1 s buckets) for the report's timeline. */
function writePerSecond(dir: string, ps: readonly PerSecond[]): void {
  const cell = (x: number | null) => (x === null ? "" : String(r3(x)));
  const rows = ["t_ms,ops,latency_mean_ms,latency_min_ms,latency_max_ms"];
  const tl = ["t_ms,ops,ops_per_s"];
  for (const s of ps) {
    rows.push(
      `${s.tMs},${s.ops},${cell(s.meanLatencyMs)},${cell(s.minLatencyMs)},${cell(s.maxLatencyMs)}`,
    );
    tl.push(`${s.tMs},${s.ops},${s.ops}`);
  }
  writeFileSync(join(dir, "per-second.csv"), `${rows.join("\n")}\n`);
  writeFileSync(join(dir, "throughput.csv"), `${tl.join("\n")}\n`);
}

/** The columns of results.csv, in order; nested summary fields become dotted names. */
export function csvRow(s: Summary): Record<string, string | number | boolean | null> {
  const flat = flatten({
    experiment: s.experiment,
    variant: s.variant,
    system: s.system?.label ?? "paxos-lab",
    quorum: s.quorum,
    repetition: s.repetition,
    seed: s.seed,
    mode: s.mode,
    time: s.time,
    throughput: s.throughput,
    latency: s.latency,
    ops: s.ops,
    checks: {
      passed: s.checks.passed,
      total: s.checks.total,
      failed: s.checks.failed.join(" "),
      inconclusive: s.checks.inconclusive.join(" "),
    },
    faults: {
      count: s.faults.length,
      max_unavailable_ms: maxOrNull(s.faults.map((f) => f.unavailable_ms)),
      max_recovery_ms: maxOrNull(s.faults.map((f) => f.recovery_ms)),
    },
    leadership_changes: s.leadership_changes,
    engine: s.engine ?? {},
    cpu: cpuColumns(s.extra),
    wall_ms: s.wall_ms,
    error: s.error,
  });
  return flat;
}

/** What the workload cost per operation (runs on real processes; see modes/loadgen-cpu.ts). */
function cpuColumns(extra: Record<string, unknown> | undefined): Record<string, unknown> {
  const cols: Record<string, unknown> = {};
  for (const [k, column] of [
    ["system_cpu_us_per_op", "system_us_per_op"],
    ["loadgen_cpu_us_per_op", "loadgen_us_per_op"],
    ["loadgen_busy", "loadgen_busy"],
  ] as const) {
    if (extra?.[k] !== undefined) cols[column] = extra[k];
  }
  return cols;
}

function maxOrNull(xs: (number | null)[]): number | null {
  const ys = xs.filter((x): x is number => x !== null);
  return ys.length === 0 ? null : Math.max(...ys);
}

export function toCsv(rows: Record<string, string | number | boolean | null>[]): string {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const cell = (v: string | number | boolean | null | undefined) => {
    if (v === null || v === undefined) return "";
    const text = String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n")}\n`;
}

export function writeConfig(dir: string, config: ResolvedConfig): void {
  writeJson(join(dir, "config.json"), config);
}
