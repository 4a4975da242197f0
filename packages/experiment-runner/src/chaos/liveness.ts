// "Commits resume after every heal": the liveness half of a chaos run's checks. After every
// moment the schedule leaves nothing broken (no node down, no partition, no link changed),
// at least `minOpsAfterHeal` client operations must complete within `resumeWithinMs`; and the
// final reads, if any, must all complete. A window starts when the run actually finished
// applying the heal (in local mode a restart takes a moment); a heal the schedule follows with
// its next fault sooner than `resumeWithinMs` (a hand-written schedule; chaos schedules keep
// quiet that long) is not checked but counted as skipped.

import type { Fault, ResolvedChaos } from "../config/types.js";
import type { CheckResult, HistoryRecord } from "../run/types.js";
import { healWindows } from "./schedule.js";

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
      passed: violations.length === 0,
      violations: violations.slice(0, 5),
    },
    heals: windows.length,
    checked,
    skipped,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;
