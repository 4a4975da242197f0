// What one run (a variant, a repetition) produces, whatever the mode: the client-visible
// history, the safety checks, the faults as applied and leadership changes. Statistics and
// files are derived from this, so sim and local results have one format.

import type { ClientOperation } from "@paxos/core";
import type { Variant } from "../config/resolve.js";
import type { Mode, ResolvedConfig } from "../config/types.js";
import type { PerSecond, SystemInfo } from "../systems/types.js";

/** One client operation: one line of history.ndjson. Times in ms from the start of the run. */
export type HistoryRecord = ClientOperation;

export interface CheckResult {
  name: string;
  passed: boolean;
  /** what went wrong, a line each (at most a few) */
  violations: string[];
  /** the check could not decide (the linearizability search ran out of time): exit code 2 */
  inconclusive?: boolean;
  /**
   * what a failure means: "safety" (something wrong was done: exit code 1) or "liveness"
   * (something right was not done in time: exit code 3); by the check's name when absent
   */
  kind?: CheckKind;
}

export type CheckKind = "safety" | "liveness";

/** Checks about progress; every other check is about safety. */
const LIVENESS_CHECKS = new Set(["commits-resume", "progress-during-faults", "converged"]);

export function kindOf(check: Pick<CheckResult, "name" | "kind">): CheckKind {
  return check.kind ?? (LIVENESS_CHECKS.has(check.name) ? "liveness" : "safety");
}

export interface AppliedFault {
  atMs: number;
  what: string;
  /** the node a crash, restart or partition hit, once "@leader" was resolved */
  node?: string;
}

export interface LeadershipRecord {
  atMs: number;
  node: string;
  active: boolean;
  ballot: string;
}

export interface RunOutcome {
  mode: Mode;
  /** "simulated": virtual ms of the simulator; "wall-clock": real ms */
  time: "simulated" | "wall-clock";
  variant: string;
  quorum: string;
  repetition: number;
  seed: number;
  startedAt: string;
  wallMs: number;
  durationMs: number;
  warmupMs: number;
  cooldownMs: number;
  history: HistoryRecord[];
  checks: CheckResult[];
  faults: AppliedFault[];
  leadership: LeadershipRecord[];
  /** what the engine did over the whole run, counted the same way in every mode */
  engine?: EngineCounts;
  /** mode-specific counters (messages, events, trace hash, ...) */
  extra: Record<string, unknown>;
  /** set when the run could not complete (the checks then count as failed) */
  error?: string;
  /** a system that reports per-second figures only (no history): its series */
  perSecond?: PerSecond[];
  /** which system ran (absent in results written before systems existed) */
  system?: SystemInfo;
}

export interface EngineCounts {
  /** slots applied by the replica that applied the most */
  slots: number;
  /** commands in those slots */
  commands: number;
  /** messages sent by the cluster's nodes (the clients' requests not counted) */
  messages: number;
}

/** Called while a run goes on: time done so far (in the run's time) and operations completed. */
export type ProgressFn = (doneMs: number, opsCompleted: number) => void;

/** The machine cannot run the experiment (a missing binary, no free port, ...): exit code 2. */
export class EnvironmentError extends Error {
  override readonly name = "EnvironmentError";
}

export interface RunModeOptions {
  config: ResolvedConfig;
  variant: Variant;
  repetition: number;
  seed: number;
  /** where the run may keep logs (local mode) */
  dir: string;
  onProgress?: ProgressFn;
  aborted?: () => boolean;
}
