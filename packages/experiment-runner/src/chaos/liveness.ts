// Liveness checks of a run, in either mode (a failure here is "liveness", distinct from safety:
// exit code 3, not 1).
//
// "Progress during faults" (progressCheck): while a fault leaves a leader connected to a
// phase-1 and a phase-2 quorum of live acceptors and to a replica clients reach, no stretch
// without a commit may be longer than `liveness.withinMs` (the engine's election timeout plus
// a few round trips by default). The rule and the gap test are the simulator's
// (canCommit, progressViolations); here the network's states come from the faults as applied.
//
// "Commits resume after every heal": the liveness half of a chaos run's checks. After every
// moment the schedule leaves nothing broken (no node down, no partition, no link changed),
// at least `minOpsAfterHeal` client operations must complete within `resumeWithinMs`; and the
// final reads, if any, must all complete. A window starts when the run actually finished
// applying the heal (in local mode a restart takes a moment); a heal the schedule follows with
// its next fault sooner than `resumeWithinMs` (a hand-written schedule; chaos schedules keep
// quiet that long) is not checked but counted as skipped.

import { DEFAULT_TIMING } from "@paxos/core";
import {
  defaultLivenessBoundMs,
  type LivenessLayout,
  type NetState,
  progressViolations,
} from "@paxos/simulator";
import type { Variant } from "../config/resolve.js";
import type { Fault, RawConfig, ResolvedChaos, ResolvedConfig } from "../config/types.js";
import type { CheckResult, HistoryRecord } from "../run/types.js";
import { healWindows } from "./schedule.js";

export const PROGRESS_CHECK = "progress-during-faults";

/** The config's liveness section resolved: the bound, or undefined when the check is off. */
export function livenessOf(
  raw: RawConfig["liveness"],
  config: Pick<ResolvedConfig, "engine">,
): { withinMs: number } | undefined {
  if (raw?.check === false) return undefined;
  return {
    withinMs:
      raw?.withinMs ?? defaultLivenessBoundMs({ ...DEFAULT_TIMING, ...config.engine.timing }),
  };
}

/**
 * The network's states over a run, as the faults were applied: who is down, which directed
 * links are cut. Each mode calls set() after applying a fault.
 */
export class NetStates {
  readonly states: NetState[] = [{ atMs: 0, down: new Set(), cut: new Set() }];

  set(atMs: number, down: Iterable<string>, cut: Iterable<string>): void {
    const state: NetState = { atMs, down: new Set(down), cut: new Set(cut) };
    const last = this.states.at(-1)!;
    if (last.atMs >= atMs) this.states[this.states.length - 1] = { ...state, atMs: last.atMs };
    else this.states.push(state);
  }
}

export interface ProgressExtra {
  within_ms: number;
  /** fault windows in which the cluster could commit */
  windows_checked: number;
  /** the longest stretch without a commit in any of them */
  longest_gap_ms: number | null;
}

/** Commits went on during every fault that left the cluster able to commit. */
export function progressCheck(opts: {
  variant: Variant;
  states: readonly NetState[];
  history: readonly HistoryRecord[];
  withinMs: number;
  /** when the workload stops submitting */
  untilMs: number;
  /** clients reach every replica whatever the cuts (local mode's load generator) */
  externalClients: boolean;
}): { check: CheckResult; extra: ProgressExtra } {
  const { variant } = opts;
  const layout: LivenessLayout = {
    nodes: [
      ...variant.nodes,
      ...(opts.externalClients
        ? []
        : variant.clients.map((id) => ({ id, roles: ["client" as const] }))),
    ],
    quorum: variant.quorum,
    externalClients: opts.externalClients,
  };
  const returns = opts.history.map((h) => h.returnedAt).filter((t): t is number => t !== null);
  const r = progressViolations(layout, opts.states, returns, {
    withinMs: opts.withinMs,
    untilMs: opts.untilMs,
  });
  return {
    check: {
      name: PROGRESS_CHECK,
      kind: "liveness",
      passed: r.violations.length === 0,
      violations: r.violations.slice(0, 5).map((v) => v.message),
    },
    extra: {
      within_ms: opts.withinMs,
      windows_checked: r.windows.length,
      longest_gap_ms:
        r.windows.length === 0 ? null : round(Math.max(...r.windows.map((w) => w.longestGapMs))),
    },
  };
}

/** When a fault began to be applied and when it was done, in the run's time. */
export interface FaultTime {
  startedAt: number;
  doneAt: number;
}

export interface FinalReads {
  /** keys read */
  issued: number;
  /** reads that returned */
  completed: number;
  withinMs: number;
}

export interface ResumeOutcome {
  check: CheckResult;
  heals: number;
  checked: number;
  skipped: number;
}

export const RESUME_CHECK = "commits-resume";

export function resumeCheck(opts: {
  faults: readonly Fault[];
  /** per fault, when it was applied; undefined: when the schedule said (or it never ran) */
  times: readonly (FaultTime | undefined)[];
  history: readonly HistoryRecord[];
  chaos: Pick<ResolvedChaos, "resumeWithinMs" | "minOpsAfterHeal">;
  finalReads?: FinalReads;
}): ResumeOutcome {
  const { faults, times, history, chaos } = opts;
  const returns = history
    .map((h) => h.returnedAt)
    .filter((t): t is number => t !== null)
    .sort((a, b) => a - b);
  const countIn = (from: number, to: number): number => {
    let n = 0;
    for (const t of returns) if (t >= from && t <= to) n++;
    return n;
  };
  const violations: string[] = [];
  const windows = healWindows(faults);
  let checked = 0;
  let skipped = 0;
  for (const w of windows) {
    const healedAt = times[w.heal]?.doneAt ?? faults[w.heal]!.atMs;
    const until = healedAt + chaos.resumeWithinMs;
    if (w.next !== undefined) {
      if (faults[w.next]!.atMs - faults[w.heal]!.atMs < chaos.resumeWithinMs) {
        skipped++;
        continue;
      }
    }
    checked++;
    const n = countIn(healedAt, until);
    if (n < chaos.minOpsAfterHeal) {
      violations.push(
        `commits did not resume after the heal at ${round(healedAt)} ms: ${n} operation(s) ` +
          `completed by ${round(until)} ms, expected at least ${chaos.minOpsAfterHeal}`,
      );
    }
  }
  const fr = opts.finalReads;
  if (fr && fr.completed < fr.issued) {
    violations.push(
      `final reads: ${fr.issued - fr.completed} of ${fr.issued} keys could not be read within ${fr.withinMs} ms after the workload`,
    );
  }
  return {
    check: {
      name: RESUME_CHECK,
      kind: "liveness",
      passed: violations.length === 0,
      violations: violations.slice(0, 5),
    },
    heals: windows.length,
    checked,
    skipped,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
