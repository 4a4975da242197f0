// Systems under test: our engine (the default) and the systems a researcher would otherwise
// cite (LibPaxos3, LibFPaxos, etcd), each an adapter behind one interface so that one
// experiment runs them under the same workload and one report shows them side by side.

import type { SystemSummary } from "@paxos/analysis";
import type { FromSchema } from "json-schema-to-ts";
import type { ResolvedConfig } from "../config/types.js";
import type { HistoryRecord, ProgressFn, RunModeOptions, RunOutcome } from "../run/types.js";
import type { SYSTEM_SCHEMA } from "./schema.js";

export const SYSTEM_KINDS = ["paxos-lab", "libpaxos3", "libfpaxos", "etcd"] as const;
export type SystemKind = (typeof SYSTEM_KINDS)[number];

/** A `systems` entry, with the schema's defaults (storage, fsync, ...) filled in by ajv. */
export type RawSystem = FromSchema<typeof SYSTEM_SCHEMA>;

/** A `systems` entry with its label filled in. */
export type ResolvedSystem = RawSystem & { label: string };

/** Which system runs a variant, and what of the config it changes. */
export interface SystemRun {
  system: ResolvedSystem;
  /** the quorum variant's label, before the system and outstanding count were added */
  quorumLabel: string;
  /** requests in flight per client, when the system entry sets it */
  outstanding?: number;
}

/** One second of a system that reports only per-second figures (the LibPaxos sample client). */
export interface PerSecond {
  /** start of the second, ms from the start of the run */
  tMs: number;
  ops: number;
  /** mean, smallest and largest latency of the values delivered in this second (null: none) */
  meanLatencyMs: number | null;
  minLatencyMs: number | null;
  maxLatencyMs: number | null;
}

/** What a run of a system collected: a client history, or per-second figures. */
export type Collected =
  | { kind: "history"; history: HistoryRecord[] }
  | { kind: "per-second"; perSecond: PerSecond[] };

export interface StartContext {
  config: ResolvedConfig;
  system: ResolvedSystem;
  /** one member (acceptor) per id */
  acceptors: readonly string[];
  /** phase sizes and whether phase 2 goes to a minimal quorum */
  quorum: { phase1: number; phase2: number; thrifty: boolean };
  /** the run's folder: logs/ and data/ go under it */
  dir: string;
  seed: number;
}

export interface DriveContext {
  config: ResolvedConfig;
  /** workload client ids (c1, c2, ...) */
  clients: readonly string[];
  seed: number;
  dir: string;
  onProgress?: ProgressFn;
  aborted?: () => boolean;
}

/** A cluster of a system, started and ready for load. */
export interface RunningSystem {
  /** drives the config's workload (ours, or the system's own load generator) to its end */
  drive(ctx: DriveContext): Promise<Collected>;
  /** stops every process it started and removes their data; safe to call more than once */
  stop(): Promise<void>;
  /** what the run's summary keeps about this cluster (ports, versions) */
  readonly extra: Record<string, unknown>;
}

export interface SystemAdapter {
  readonly kind: SystemKind;
  /** the system's name in tables */
  readonly name: string;
  /** one sentence: what this system's latency measures (printed beside its rows) */
  readonly latencyMeasures: string;
  /** whether a run leaves a client history that the checkers can read */
  readonly history: boolean;
  /** why this system cannot run this config at all (the mode, the network, the workload), or null */
  refusesConfig(config: ResolvedConfig): string | null;
  /** why this system cannot run a quorum variant (its kind, sizes, thrifty), or null */
  refusesVariant(v: VariantShape): string | null;
  /** finds or builds what the system needs, once per experiment; EnvironmentError if it cannot */
  prepare(system: ResolvedSystem, log: (line: string) => void): Promise<void>;
  /**
   * Either a whole run (our engine: its sim and local modes also play faults and check the
   * replicas) or a cluster to start, which the generic runner drives and always stops.
   */
  run?(opts: RunModeOptions): Promise<RunOutcome>;
  /** starts a cluster of the variant's size on loopback, ready for load */
  start?(ctx: StartContext): Promise<RunningSystem>;
}

/** What an adapter needs to know of a variant to accept or refuse it. */
export interface VariantShape {
  label: string;
  kind: "majority" | "flexible" | "grid" | "explicit";
  acceptors: number;
  phase1: number | null;
  phase2: number | null;
  thrifty: boolean;
}

/** What summary.json says about the system of a run (its format is @paxos/analysis'). */
export type SystemInfo = SystemSummary & { kind: SystemKind };
