// Reads a results folder written by `paxos-lab run` (experiments/README.md):
//
//   <dir>/config.json  env.json  results.csv  summary.txt
//   <dir>/<NN-variant>/rep-<r>/summary.json  latency.csv  throughput.csv  events.json  checks.json
//
// into plain data: per variant its quorum (kind, acceptors, phase sizes, when the config says),
// and per run the summary, the raw latency samples and completion times, the throughput
// timeline, the faults as applied and the checks. Only the files are read: nothing here imports
// the runner (DESIGN.md: arrows point one way).

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { RunSummary, SystemSummary } from "./run-summary.js";

export class ResultsError extends Error {
  override readonly name = "ResultsError";
}

export interface CheckVerdict {
  name: string;
  /** what a failure means: something wrong done, something right not done in time, no run */
  kind: "safety" | "liveness" | "run";
  passed: boolean;
  inconclusive: boolean;
  violations: string[];
}

export interface FaultEvent {
  atMs: number;
  what: string;
  node?: string;
}

export interface RunData {
  variant: string;
  repetition: number;
  seed: number;
  /** the run's folder */
  dir: string;
  summary: RunSummary;
  /** latencies of the operations that returned inside the measurement window, ms */
  samples: number[];
  /** when every returned operation returned, ms from the start of the run */
  completions: number[];
  /** where the samples came from */
  source: "latency.csv" | "history.ndjson" | "none";
  /** completed operations over the whole run (throughput.csv) */
  timeline: { tMs: number; ops: number; opsPerS: number }[];
  faults: FaultEvent[];
  leadership: { atMs: number; node: string; active: boolean }[];
  checks: CheckVerdict[];
  /** checks.json as written (the linearizability check's record), null when missing */
  checksFile: Record<string, unknown> | null;
}

export interface VariantInfo {
  /** 0-based position in the config */
  index: number;
  label: string;
  /** the quorum system as the runner described it, e.g. "flexible(n=5, phase1=4, phase2=2)" */
  quorum: string;
  kind: string | null;
  acceptors: number | null;
  phase1: number | null;
  phase2: number | null;
  thrifty: boolean;
  /** the system that ran it (null: our engine, in results written before systems existed) */
  system: SystemSummary | null;
  runs: RunData[];
}

export interface ResultsDir {
  dir: string;
  /** the folder's name (utc time and experiment name) */
  id: string;
  name: string;
  description: string;
  mode: string;
  time: "simulated" | "wall-clock";
  /** the resolved config (config.json) */
  config: Record<string, unknown>;
  /** env.json, {} when missing */
  env: Record<string, unknown>;
  window: { warmupMs: number; cooldownMs: number; durationMs: number };
  variants: VariantInfo[];
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ResultsError(`${path}: cannot read it as JSON (${(e as Error).message})`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Splits simple CSV (the runner's: numbers, no quoted commas) into rows of cells. */
function csvRows(text: string): { header: string[]; rows: string[][] } {
  const lines = text.split("\n").filter((l) => l.length > 0);
  const header = (lines[0] ?? "").split(",");
  return { header, rows: lines.slice(1).map((l) => l.split(",")) };
}

function readLatency(dir: string, window: RunSummary["window"]) {
  const samples: number[] = [];
  const completions: number[] = [];
  const csv = join(dir, "latency.csv");
  if (existsSync(csv)) {
    const { header, rows } = csvRows(readFileSync(csv, "utf8"));
    const at = header.indexOf("returned_at_ms");
    const lat = header.indexOf("latency_ms");
    const inWin = header.indexOf("in_window");
    if (at < 0 || lat < 0) throw new ResultsError(`${csv}: expected returned_at_ms,latency_ms`);
    for (const r of rows) {
      const t = Number(r[at]);
      const l = Number(r[lat]);
      if (!Number.isFinite(t) || !Number.isFinite(l)) continue;
      completions.push(t);
      const inside = inWin >= 0 ? r[inWin] === "1" : t >= window.from_ms && t < window.to_ms;
      if (inside) samples.push(l);
    }
    return { samples, completions, source: "latency.csv" as const };
  }
  const history = join(dir, "history.ndjson");
  if (existsSync(history)) {
    for (const line of readFileSync(history, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const h = JSON.parse(line) as { invokedAt?: unknown; returnedAt?: unknown };
      const inv = num(h.invokedAt);
      const ret = num(h.returnedAt);
      if (inv === null || ret === null) continue;
      completions.push(ret);
      if (ret >= window.from_ms && ret < window.to_ms) samples.push(ret - inv);
    }
    return { samples, completions, source: "history.ndjson" as const };
  }
  return { samples, completions, source: "none" as const };
}

function readTimeline(dir: string): RunData["timeline"] {
  const csv = join(dir, "throughput.csv");
  if (!existsSync(csv)) return [];
  const { header, rows } = csvRows(readFileSync(csv, "utf8"));
  const t = header.indexOf("t_ms");
  const ops = header.indexOf("ops");
  const rate = header.indexOf("ops_per_s");
  return rows
    .map((r) => ({ tMs: Number(r[t]), ops: Number(r[ops]), opsPerS: Number(r[rate]) }))
    .filter((p) => Number.isFinite(p.tMs) && Number.isFinite(p.opsPerS));
}

/** Checks about progress (older results do not record a check's kind). */
const LIVENESS_CHECKS = ["commits-resume", "progress-during-faults", "converged"];

function checksOf(summary: RunSummary): CheckVerdict[] {
  const out: CheckVerdict[] = [];
  for (const [name, v] of Object.entries(summary.checks)) {
    if (!isObject(v) || typeof v.passed !== "boolean") continue;
    out.push({
      name,
      kind:
        v.kind === "liveness" || v.kind === "safety"
          ? v.kind
          : LIVENESS_CHECKS.includes(name)
            ? "liveness"
            : "safety",
      passed: v.passed,
      inconclusive: v.inconclusive === true,
      violations: Array.isArray(v.violations) ? v.violations.map(String) : [],
    });
  }
  if (summary.error !== null && summary.error !== undefined) {
    out.push({
      name: "completed",
      kind: "run",
      passed: false,
      inconclusive: false,
      violations: [summary.error],
    });
  }
  return out;
}

function readRun(dir: string): RunData {
  const raw = readJson(join(dir, "summary.json"));
  if (!isObject(raw) || !isObject(raw.window) || !isObject(raw.checks)) {
    throw new ResultsError(`${join(dir, "summary.json")}: not a run summary written by paxos-lab`);
  }
  const summary = raw as unknown as RunSummary;
  const latency = readLatency(dir, summary.window);
  let faults: FaultEvent[] = [];
  let leadership: RunData["leadership"] = [];
  const eventsPath = join(dir, "events.json");
  if (existsSync(eventsPath)) {
    const ev = readJson(eventsPath);
    if (isObject(ev)) {
      if (Array.isArray(ev.faults)) {
        faults = ev.faults.filter(isObject).map((f) => ({
          atMs: num(f.atMs) ?? 0,
          what: String(f.what ?? "fault"),
          ...(typeof f.node === "string" ? { node: f.node } : {}),
        }));
      }
      if (Array.isArray(ev.leadership)) {
        leadership = ev.leadership.filter(isObject).map((l) => ({
          atMs: num(l.atMs) ?? 0,
          node: String(l.node ?? ""),
          active: l.active === true,
        }));
      }
    }
  }
  const checksPath = join(dir, "checks.json");
  const checksFile = existsSync(checksPath) ? readJson(checksPath) : null;
  return {
    variant: String(summary.variant),
    repetition: num(summary.repetition) ?? 0,
    seed: num(summary.seed) ?? 0,
    dir,
    summary,
    ...latency,
    timeline: readTimeline(dir),
    faults,
    leadership,
    checks: checksOf(summary),
    checksFile: isObject(checksFile) ? checksFile : null,
  };
}

/** Phase sizes of a resolved quorum variant when its kind fixes them (flexible, majority). */
function quorumShape(q: Record<string, unknown> | undefined, clusterAcceptors: number | null) {
  const kind = typeof q?.kind === "string" ? q.kind : null;
  const acceptors = num(q?.acceptors) ?? clusterAcceptors;
  let phase1: number | null = null;
  let phase2: number | null = null;
  if (kind === "flexible") {
    phase1 = num(q?.phase1);
    phase2 = num(q?.phase2);
  } else if (kind === "majority" && acceptors !== null) {
    phase1 = Math.floor(acceptors / 2) + 1;
    phase2 = phase1;
  }
  return { kind, acceptors, phase1, phase2 };
}

/**
 * Resolves what the user named: a results folder, or a base folder with a `latest` link
 * (experiments/results) meaning its newest run.
 */
export function resolveResultsDir(path: string): string {
  if (!existsSync(path)) throw new ResultsError(`${path}: no such folder`);
  if (!statSync(path).isDirectory()) throw new ResultsError(`${path}: not a folder`);
  if (existsSync(join(path, "config.json"))) return realpathSync(path);
  if (existsSync(join(path, "latest", "config.json"))) return realpathSync(join(path, "latest"));
  throw new ResultsError(
    `${path}: no config.json: not a results folder written by paxos-lab run ` +
      "(expected experiments/results/<utc>_<name>/)",
  );
}

/** Reads a whole results folder (see the top of this file). */
export function loadResults(path: string): ResultsDir {
  const dir = resolveResultsDir(path);
  const config = readJson(join(dir, "config.json"));
  if (!isObject(config)) throw new ResultsError(`${dir}/config.json: not an object`);
  const envPath = join(dir, "env.json");
  const envRaw = existsSync(envPath) ? readJson(envPath) : {};
  const env = isObject(envRaw) ? envRaw : {};
  const workload = isObject(config.workload) ? config.workload : {};
  const cluster = isObject(config.cluster) ? config.cluster : {};
  const clusterAcceptors = Array.isArray(cluster.nodes)
    ? cluster.nodes.filter(
        (n) => isObject(n) && Array.isArray(n.roles) && n.roles.includes("acceptor"),
      ).length
    : num(cluster.acceptors);
  const quorums = Array.isArray(config.quorums) ? config.quorums.filter(isObject) : [];
  const engine = isObject(config.engine) ? config.engine : {};

  const variantDirs = readdirSync(dir)
    .filter((name) => /^\d+-/.test(name) && statSync(join(dir, name)).isDirectory())
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  const variants: VariantInfo[] = [];
  for (const vd of variantDirs) {
    const reps = readdirSync(join(dir, vd))
      .filter((r) => /^rep-\d+$/.test(r) && existsSync(join(dir, vd, r, "summary.json")))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
    if (reps.length === 0) continue;
    const runs = reps.map((r) => readRun(join(dir, vd, r)));
    const first = runs[0]!;
    const index = Number.parseInt(vd, 10) - 1;
    const system = first.summary.system ?? null;
    const quorumLabel = system?.quorum_label ?? first.variant;
    const q = quorums.find((x) => x.label === quorumLabel) ?? (system ? undefined : quorums[index]);
    variants.push({
      index,
      label: first.variant,
      quorum: String(first.summary.quorum ?? ""),
      ...quorumShape(q, clusterAcceptors),
      thrifty: q?.thrifty === true || (q?.thrifty === undefined && engine.thrifty === true),
      system,
      runs,
    });
  }
  if (variants.length === 0) {
    throw new ResultsError(`${dir}: no runs yet (no <NN-variant>/rep-<r>/summary.json)`);
  }
  const firstSummary = variants[0]!.runs[0]!.summary;
  return {
    dir,
    id: basename(dir),
    name: String(config.name ?? basename(dir)),
    description: typeof config.description === "string" ? config.description : "",
    mode: String(config.mode ?? firstSummary.mode ?? ""),
    time: firstSummary.time === "wall-clock" ? "wall-clock" : "simulated",
    config,
    env,
    window: {
      warmupMs: num(workload.warmupMs) ?? firstSummary.window.from_ms,
      cooldownMs:
        num(workload.cooldownMs) ??
        (num(workload.durationMs) ?? firstSummary.window.to_ms) - firstSummary.window.to_ms,
      durationMs: num(workload.durationMs) ?? firstSummary.window.to_ms,
    },
    variants,
  };
}
