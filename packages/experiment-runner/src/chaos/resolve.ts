// The `chaos` section of a config: defaults, the checks a schema cannot express (with the JSON
// path of each problem), and its resolution into one concrete schedule per variant and run seed.
// Schedules already in the config (a saved config.json, or one edited by hand to shrink a
// failure) are kept as they are when they match a run; the others are generated.

import { DEFAULT_TIMING } from "@paxos/core";
import type { Variant } from "../config/resolve.js";
import {
  type ChaosConfig,
  type ChaosSchedule,
  type ConfigIssue,
  type LinkSpec,
  NEMESES,
  type ResolvedChaos,
  type ResolvedConfig,
  SIM_ONLY_NEMESES,
  type Span,
} from "../config/types.js";
import { generateSchedule, weightOf } from "./schedule.js";
import { crashTolerance } from "./tolerance.js";

/** With neither `rate` nor `meanIntervalMs`: one fault a second (a default of two keys at once). */
const DEFAULT_MEAN_INTERVAL_MS = 1000;

/** The default liveness bound: two elections with backoff, plus a client's longest retry wait. */
export function defaultResumeMs(config: ResolvedConfig): number {
  const t = { ...DEFAULT_TIMING, ...config.engine.timing };
  return 2 * (t.leaderTimeoutMs + t.electionBackoffMaxMs) + t.clientRetryMaxMs;
}

const SIM_ONLY_HINT =
  "the WebSocket transport runs over TCP, which never duplicates or reorders messages: leave it out (or 0) in local mode, or run with --mode sim";

/** duplicate / reorder on a link in local mode: one issue each, at its path. */
export function simOnlyLinkIssues(
  link: LinkSpec | undefined,
  path: string,
  mode: ResolvedConfig["mode"],
  issues: ConfigIssue[],
): void {
  if (mode === "sim" || !link) return;
  for (const key of ["duplicate", "reorder"] as const) {
    if ((link[key] ?? 0) > 0) {
      issues.push({
        path: `${path}/${key}`,
        message: `${key === "duplicate" ? "duplicated" : "reordered"} messages are simulated only (mode is "${mode}")`,
        hint: SIM_ONLY_HINT,
      });
    }
  }
}

function checkSpan(span: Span, path: string, issues: ConfigIssue[]): void {
  if (span[0] > span[1]) {
    issues.push({
      path,
      message: `[${span[0]}, ${span[1]}]: min is above max`,
      hint: "a range is [min, max] with min <= max",
    });
  }
}

/**
 * The defaults that depend on other values (the schema fills in the others), and cross-field
 * checks; undefined when the config has no chaos section.
 */
export function fillChaos(
  raw: ChaosConfig | undefined,
  config: ResolvedConfig,
  issues: ConfigIssue[],
): ResolvedChaos | undefined {
  if (!raw) return undefined;
  const w = config.workload;
  if (raw.rate !== undefined && raw.meanIntervalMs !== undefined) {
    issues.push({
      path: "/chaos/rate",
      message: "both `rate` and `meanIntervalMs` are given",
      hint: "they say the same thing (meanIntervalMs = 1000 / rate): keep one",
    });
  }
  const meanIntervalMs =
    raw.meanIntervalMs ?? (raw.rate === undefined ? DEFAULT_MEAN_INTERVAL_MS : 1000 / raw.rate);
  const resumeWithinMs = raw.resumeWithinMs ?? defaultResumeMs(config);
  const finalReadsWithinMs = raw.finalReadsWithinMs ?? resumeWithinMs;
  const startMs = raw.startMs ?? w.warmupMs;
  const healByMs = raw.healByMs ?? Math.max(startMs, w.durationMs - resumeWithinMs);
  if (raw.startMs !== undefined && startMs >= w.durationMs) {
    issues.push({
      path: "/chaos/startMs",
      message: `faults would start at ${startMs} ms, when the ${w.durationMs} ms run is over`,
      hint: "chaos times count from the start of the run, warm-up included",
    });
  } else if (healByMs <= startMs) {
    issues.push({
      path: raw.healByMs === undefined ? "/chaos" : "/chaos/healByMs",
      message:
        raw.healByMs === undefined
          ? `the run leaves no time for faults: they start at ${startMs} ms and must be over by ` +
            `${healByMs} ms (durationMs ${w.durationMs} - resumeWithinMs ${resumeWithinMs})`
          : `healByMs ${healByMs} is not after startMs ${startMs}`,
      hint: "make workload.durationMs longer, or set chaos.startMs, healByMs or resumeWithinMs",
    });
  }
  if (raw.healByMs !== undefined && healByMs + resumeWithinMs > w.durationMs) {
    issues.push({
      path: "/chaos/healByMs",
      message:
        `faults end at ${healByMs} ms, but commits must be seen to resume within ` +
        `${resumeWithinMs} ms after that, beyond the ${w.durationMs} ms run`,
      hint: `healByMs + resumeWithinMs must not exceed workload.durationMs: at most ${w.durationMs - resumeWithinMs}`,
    });
  }
  const { faultDurationMs, intensity } = raw;
  checkSpan(faultDurationMs, "/chaos/faultDurationMs", issues);
  for (const k of ["slowMs", "loss", "duplicate", "reorder"] as const) {
    checkSpan(intensity[k], `/chaos/intensity/${k}`, issues);
  }
  const mix = raw.mix === undefined ? undefined : { ...raw.mix };
  if (config.mode !== "sim" && mix) {
    for (const n of SIM_ONLY_NEMESES) {
      if ((mix[n] ?? 0) > 0) {
        issues.push({
          path: `/chaos/mix/${n}`,
          message: `the "${n}" nemesis is simulated only (mode is "${config.mode}")`,
          hint: SIM_ONLY_HINT,
        });
      }
    }
  }
  if (NEMESES.every((n) => weightOf({ mix }, n, config.mode) <= 0)) {
    issues.push({
      path: "/chaos/mix",
      message: `every nemesis weighs 0${config.mode === "sim" ? "" : ` in ${config.mode} mode`}`,
      hint: `give one a positive weight: ${NEMESES.join(", ")}`,
    });
  }
  return {
    startMs,
    healByMs,
    meanIntervalMs,
    ...(mix ? { mix } : {}),
    faultDurationMs,
    ...(raw.maxConcurrentCrashes === undefined
      ? {}
      : { maxConcurrentCrashes: raw.maxConcurrentCrashes }),
    allowUnavailable: raw.allowUnavailable,
    quietMs: raw.quietMs ?? resumeWithinMs,
    resumeWithinMs,
    minOpsAfterHeal: raw.minOpsAfterHeal,
    finalReads: raw.finalReads,
    finalReadsWithinMs,
    intensity,
    schedules: [],
  };
}

/** The seeds the runs use: seed + repetition. */
function runSeeds(config: ResolvedConfig): number[] {
  return Array.from({ length: config.repetitions }, (_, r) => config.seed + r);
}

/** Per variant: most concurrent crashes (checked against what the cluster tolerates). */
export function crashLimits(
  chaos: ResolvedChaos,
  variants: readonly Variant[],
  issues: ConfigIssue[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of variants) {
    const t = crashTolerance(v);
    const asked = chaos.maxConcurrentCrashes;
    if (asked !== undefined && asked > t.crashes && !chaos.allowUnavailable) {
      issues.push({
        path: "/chaos/maxConcurrentCrashes",
        message:
          `${asked} crashes at once are more than variant ${JSON.stringify(v.label)} tolerates ` +
          `(${t.crashes}): with {${t.blocking.join(", ")}} down there is ${t.why}`,
        hint: `use at most ${t.crashes}, or add "allowUnavailable": true to stall the cluster on purpose`,
      });
    }
    out.set(v.label, asked ?? t.crashes);
  }
  return out;
}

/**
 * One schedule per (variant, seed): the config's own when it has a matching one, else a new one.
 * `checkSchedule` validates a kept schedule's faults (ids, times) at its JSON path.
 */
export function resolveSchedules(
  raw: ChaosConfig,
  chaos: ResolvedChaos,
  config: ResolvedConfig,
  variants: readonly Variant[],
  issues: ConfigIssue[],
  checkSchedule: (s: ChaosSchedule, path: string, variant: Variant) => void,
): ChaosSchedule[] {
  const limits = crashLimits(chaos, variants, issues);
  const given = raw.schedules ?? [];
  given.forEach((s, i) => {
    if (!variants.some((v) => v.label === s.variant)) {
      issues.push({
        path: `/chaos/schedules/${i}/variant`,
        message: `${JSON.stringify(s.variant)} is not the label of a variant`,
        hint: `variants: ${variants.map((v) => JSON.stringify(v.label)).join(", ")}`,
      });
    }
  });
  const out: ChaosSchedule[] = [];
  for (const v of variants) {
    for (const seed of runSeeds(config)) {
      const i = given.findIndex(
        (s) => s.variant === v.label && s.seed === seed && s.mode === config.mode,
      );
      if (i >= 0) {
        const s = given[i]!;
        checkSchedule(s, `/chaos/schedules/${i}/faults`, v);
        out.push(s);
        continue;
      }
      out.push(
        generateSchedule({
          chaos,
          mode: config.mode,
          variant: v.label,
          nodes: v.nodes.map((n) => n.id),
          seed,
          maxConcurrentCrashes: limits.get(v.label) ?? 0,
        }),
      );
    }
  }
  return out;
}

/** The schedule a run plays: looked up in the resolved config, generated if missing. */
export function scheduleFor(
  config: ResolvedConfig,
  variant: Variant,
  seed: number,
): ChaosSchedule | undefined {
  const chaos = config.chaos;
  if (!chaos) return undefined;
  const found = chaos.schedules.find(
    (s) => s.variant === variant.label && s.seed === seed && s.mode === config.mode,
  );
  if (found) return found;
  const limits = crashLimits(chaos, [variant], []);
  return generateSchedule({
    chaos,
    mode: config.mode,
    variant: variant.label,
    nodes: variant.nodes.map((n) => n.id),
    seed,
    maxConcurrentCrashes: limits.get(variant.label) ?? 0,
  });
}

/**
 * `--quick`: the run shrinks by `k`; chaos times shrink with it (the liveness bound does not:
 * it is the engine's timing), and schedules are generated anew.
 */
export function scaleChaos(config: ResolvedConfig, k: number): void {
  const c = config.chaos;
  if (!c) return;
  const d = config.workload.durationMs;
  c.startMs = Math.round(c.startMs * k);
  c.quietMs = Math.round(c.quietMs * k);
  // floors: a smoke test should still see faults come and go (a restart in local mode takes
  // a good part of a second), not a storm squeezed into a few milliseconds
  c.meanIntervalMs = Math.max(250, Math.round(c.meanIntervalMs * k));
  const lo = Math.max(100, Math.round(c.faultDurationMs[0] * k));
  c.faultDurationMs = [lo, Math.max(lo, Math.round(c.faultDurationMs[1] * k))];
  c.resumeWithinMs = Math.min(c.resumeWithinMs, Math.round(d / 2));
  c.finalReadsWithinMs = Math.max(c.finalReadsWithinMs, c.resumeWithinMs);
  c.healByMs = Math.max(c.startMs + 1, Math.min(Math.round(c.healByMs * k), d - c.resumeWithinMs));
  c.schedules = [];
}
