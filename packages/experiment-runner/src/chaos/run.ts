// What both modes share when they play a run's faults: the run's fault list (the config's own
// faults and the chaos schedule, in time order), the pairs a link fault touches, the keys the
// final reads cover, and the chaos check at the end.

import type { NetState } from "@paxos/simulator";
import type { Variant } from "../config/resolve.js";
import type { ChaosSchedule, Fault, ResolvedConfig } from "../config/types.js";
import { EVERY_REF, faultSchedule } from "../faults/refs.js";
import type { CheckResult, HistoryRecord } from "../run/types.js";
import { type FaultTime, type FinalReads, progressCheck, resumeCheck } from "./liveness.js";
import { scheduleFor } from "./resolve.js";

export interface RunFaults {
  /** every fault of the run, in time order */
  faults: Fault[];
  /** the chaos schedule, when the config has a chaos section */
  chaos: ChaosSchedule | undefined;
}

export function faultsOfRun(config: ResolvedConfig, variant: Variant, seed: number): RunFaults {
  const chaos = scheduleFor(config, variant, seed);
  return { faults: faultSchedule([...config.faults, ...(chaos?.faults ?? [])]), chaos };
}

/** The directed links a link fault changes; "*" is every node of `ids` but the other end. */
export function linkPairs(
  from: string,
  to: string,
  symmetric: boolean,
  ids: readonly string[],
): [string, string][] {
  const froms = from === EVERY_REF ? ids : [from];
  const out = new Map<string, [string, string]>();
  const add = (a: string, b: string) => {
    if (a !== b) out.set(`${a}>${b}`, [a, b]);
  };
  for (const a of froms) {
    for (const b of to === EVERY_REF ? ids : [to]) {
      add(a, b);
      if (symmetric) add(b, a);
    }
  }
  return [...out.values()];
}

/** The keys the final reads cover: every key the history touched, in a fixed order. */
export function keysTouched(history: readonly { op: { key: string } }[]): string[] {
  return [...new Set(history.map((h) => h.op.key))].sort();
}

/**
 * The during-fault liveness check of a finished run with faults (none without), and what to
 * put in its `extra`.
 */
export function livenessChecks(opts: {
  config: ResolvedConfig;
  variant: Variant;
  faults: readonly Fault[];
  states: readonly NetState[];
  history: readonly HistoryRecord[];
  externalClients: boolean;
}): { checks: CheckResult[]; extra: Record<string, unknown> } {
  const bound = opts.config.liveness;
  if (!bound || opts.faults.length === 0) return { checks: [], extra: {} };
  const r = progressCheck({
    variant: opts.variant,
    states: opts.states,
    history: opts.history,
    withinMs: bound.withinMs,
    untilMs: opts.config.workload.durationMs,
    externalClients: opts.externalClients,
  });
  return { checks: [r.check], extra: { liveness: r.extra } };
}

/** The chaos checks of a finished run, and what to put in its `extra`. */
export function chaosChecks(opts: {
  config: ResolvedConfig;
  faults: readonly Fault[];
  times: readonly (FaultTime | undefined)[];
  history: readonly HistoryRecord[];
  finalReads?: FinalReads;
}): { checks: CheckResult[]; extra: Record<string, unknown> } {
  const chaos = opts.config.chaos;
  if (!chaos) return { checks: [], extra: {} };
  const r = resumeCheck({
    faults: opts.faults,
    times: opts.times,
    history: opts.history,
    chaos,
    ...(opts.finalReads ? { finalReads: opts.finalReads } : {}),
  });
  return {
    checks: [r.check],
    extra: {
      chaos: {
        faults: opts.faults.length,
        heals: r.heals,
        heals_checked: r.checked,
        heals_skipped: r.skipped,
        resume_within_ms: chaos.resumeWithinMs,
        ...(opts.finalReads
          ? {
              final_reads: opts.finalReads.issued,
              final_reads_completed: opts.finalReads.completed,
            }
          : {}),
      },
    },
  };
}

/** Every check of a finished run with faults: chaos resumes and progress during faults. */
export function faultChecks(opts: {
  config: ResolvedConfig;
  variant: Variant;
  faults: readonly Fault[];
  times: readonly (FaultTime | undefined)[];
  states: readonly NetState[];
  history: readonly HistoryRecord[];
  finalReads?: FinalReads;
  externalClients: boolean;
}): { checks: CheckResult[]; extra: Record<string, unknown> } {
  const chaos = chaosChecks(opts);
  const live = livenessChecks(opts);
  return { checks: [...chaos.checks, ...live.checks], extra: { ...chaos.extra, ...live.extra } };
}
