// The outcome of a run on real processes (our engine in local or netns mode, or another
// system): the fields every such outcome shares, fixed when the run starts, and the clock.

import type { RunModeOptions, RunOutcome } from "./types.js";

type RunResults = Omit<
  RunOutcome,
  | "mode"
  | "time"
  | "variant"
  | "quorum"
  | "repetition"
  | "seed"
  | "startedAt"
  | "wallMs"
  | "durationMs"
  | "warmupMs"
  | "cooldownMs"
>;

/** Starts the clock; the function it returns builds the outcome from what the run produced. */
export function startWallClockRun(opts: RunModeOptions): (results: RunResults) => RunOutcome {
  const { config, variant, seed, repetition } = opts;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  return (results) => ({
    mode: config.mode,
    time: "wall-clock",
    variant: variant.label,
    quorum: variant.describe,
    repetition,
    seed,
    startedAt,
    wallMs: performance.now() - started,
    durationMs: config.workload.durationMs,
    warmupMs: config.workload.warmupMs,
    cooldownMs: config.workload.cooldownMs,
    ...results,
  });
}
