// Runs an experiment: every variant, every repetition, in the chosen mode; writes the results
// folder as it goes (a run that crashes later still leaves the earlier runs on disk) and
// returns the summaries for the table and the exit code.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHECKS_FILE, checkAndRecord, DEFAULT_TIME_BUDGET_MS } from "@paxos/analysis";
import { scaleChaos } from "../chaos/resolve.js";
import { type Experiment, resolveConfig } from "../config/resolve.js";
import type { Mode, ResolvedConfig } from "../config/types.js";
import { type Progress, SilentProgress, summaryTable } from "../progress.js";
import {
  createRunDir,
  csvRow,
  defaultResultsBase,
  environment,
  runDir,
  toCsv,
  writeConfig,
  writeJson,
  writeRun,
} from "../results.js";
import { type Summary, summarize } from "../stats.js";
import { configFor } from "../systems/resolve.js";
import { prepareSystems, runVariant } from "../systems/run.js";
import { type CheckResult, kindOf, type RunModeOptions, type RunOutcome } from "./types.js";

export type { RunModeOptions };

export interface Overrides {
  mode?: Mode;
  seed?: number;
  /** run this many repetitions (seeds seed .. seed + n - 1) instead of the config's */
  repetitions?: number;
  /** shorten every run (about 2 s of run time, one repetition) for a smoke test */
  quick?: boolean;
}

/** The config with command-line overrides applied, resolved again (so variants follow). */
export function applyOverrides(exp: Experiment, o: Overrides): Experiment {
  if (o.mode === undefined && o.seed === undefined && o.repetitions === undefined && !o.quick)
    return exp;
  const c: ResolvedConfig = structuredClone(exp.config);
  if (o.mode !== undefined) c.mode = o.mode;
  if (o.seed !== undefined) c.seed = o.seed;
  if (o.repetitions !== undefined) c.repetitions = o.repetitions;
  if (o.quick) {
    const w = c.workload;
    const target = 2000;
    if (w.durationMs > target) {
      const k = target / w.durationMs;
      w.durationMs = target;
      w.warmupMs = Math.round(w.warmupMs * k);
      w.cooldownMs = Math.round(w.cooldownMs * k);
      for (const f of c.faults) f.atMs = Math.round(f.atMs * k);
      scaleChaos(c, k);
    }
    c.repetitions = 1;
  }
  return resolveConfig(c);
}

export type ModeRunner = (opts: RunModeOptions) => Promise<RunOutcome>;

export interface RunExperimentOptions {
  /** results base folder (default <workspace>/experiments/results) */
  outBase?: string;
  progress?: Progress;
  /** overrides the mode runner (tests), else each variant's system (our engine: by config.mode) */
  runner?: ModeRunner;
  /** where to say what happens before the runs (building another system) */
  announce?: (line: string) => void;
  aborted?: () => boolean;
  /** wall-clock budget of each run's linearizability check, ms (default 10 000) */
  checkBudgetMs?: number;
}

export interface ExperimentResult {
  dir: string;
  summaries: Summary[];
  table: string;
  /** runs with a failed check or that did not complete */
  failures: {
    variant: string;
    repetition: number;
    seed: number;
    failed: string[];
    details: string[];
    /** checks that could not decide (linearizability out of time): exit code 2, not 1 */
    inconclusive: string[];
    /** failed checks about safety (exit code 1) and about liveness (exit code 3) */
    safety: string[];
    liveness: string[];
  }[];
  interrupted: boolean;
}

/**
 * The linearizability check of a run's client history (@paxos/analysis): writes checks.json
 * (verdict, time taken, operations checked) and, on a violation, the failing slice's timeline
 * (linearizability-failure.svg) into the run's folder, and returns the check for the summary.
 */
export function checkLinearizability(
  outcome: RunOutcome,
  dir: string,
  budgetMs = DEFAULT_TIME_BUDGET_MS,
): CheckResult {
  mkdirSync(dir, { recursive: true });
  const { result } = checkAndRecord(outcome.history, { dir, timeBudgetMs: budgetMs });
  const s = result.stats;
  switch (result.verdict) {
    case "linearizable":
      return { name: "linearizability", passed: true, violations: [] };
    case "unknown":
      return {
        name: "linearizability",
        passed: false,
        inconclusive: true,
        violations: [`undecided: ${result.reason} (${s.operations} operations)`],
      };
    case "not linearizable":
      return {
        name: "linearizability",
        passed: false,
        violations: [
          `key ${JSON.stringify(result.key)} is not linearizable: a failing slice of ` +
            `${result.slice.length} of its ${result.keyOperations} operations is in checks.json ` +
            "and linearizability-failure.svg",
          ...result.explanation.split("\n").slice(1, 4),
        ],
      };
  }
}

/**
 * checks.json, beside the linearizability record: every check of the run under "safety" or
 * "liveness" (what a failure means), with the liveness bound the run was held to.
 */
function recordCheckKinds(dir: string, outcome: RunOutcome, config: ResolvedConfig): void {
  const file = join(dir, CHECKS_FILE);
  const record: Record<string, unknown> = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)
    : {};
  for (const kind of ["safety", "liveness"] as const) {
    const checks = outcome.checks.filter((c) => kindOf(c) === kind);
    record[kind] = {
      passed: checks.every((c) => c.passed || c.inconclusive === true),
      ...(kind === "liveness" && config.liveness ? { within_ms: config.liveness.withinMs } : {}),
      checks: Object.fromEntries(
        checks.map((c) => [c.name, { passed: c.passed, violations: c.violations }]),
      ),
    };
  }
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * env.json learns what the world did that only a run finds out (netns: whether the kernel or
 * the transport delayed and dropped messages, since the kernel may lack netem).
 */
function recordWorld(dir: string, outcome: RunOutcome): void {
  const shapedBy = outcome.extra.links_shaped_by;
  if (shapedBy === undefined) return;
  const file = join(dir, "env.json");
  const env = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if (env.links_shaped_by !== undefined) return;
  writeJson(file, { ...env, links_shaped_by: shapedBy });
}

export async function runExperiment(
  exp: Experiment,
  opts: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const { config, variants } = exp;
  const progress = opts.progress ?? new SilentProgress();
  const run = opts.runner ?? runVariant;
  if (!opts.runner) await prepareSystems(variants, opts.announce ?? (() => undefined));
  const dir = createRunDir(opts.outBase ?? defaultResultsBase(), config.name);
  writeConfig(dir, config);
  writeJson(join(dir, "env.json"), environment(config.mode));
  const summaries: Summary[] = [];
  const failures: ExperimentResult["failures"] = [];
  const total = variants.length * config.repetitions;
  let index = 0;
  let interrupted = false;
  try {
    for (const variant of variants) {
      for (let rep = 0; rep < config.repetitions; rep++) {
        if (opts.aborted?.()) {
          interrupted = true;
          break;
        }
        index++;
        const seed = config.seed + rep;
        const where = runDir(dir, variant.index, variant.label, rep);
        progress.start({
          index,
          total,
          label: variant.label,
          repetition: rep,
          durationMs: config.workload.durationMs,
          time: config.mode === "sim" ? "simulated" : "wall-clock",
        });
        const outcome = await run({
          config: configFor(config, variant),
          variant,
          repetition: rep,
          seed,
          dir: where,
          onProgress: (t, ops) => progress.update(t, ops),
          ...(opts.aborted ? { aborted: opts.aborted } : {}),
        });
        // a system without a client history (LibPaxos) has nothing to check: "not checked"
        if (outcome.system?.history !== false) {
          outcome.checks.push(checkLinearizability(outcome, where, opts.checkBudgetMs));
        }
        recordWorld(dir, outcome);
        const summary = summarize(config.name, outcome);
        writeRun(where, outcome, summary);
        recordCheckKinds(where, outcome, config);
        progress.end(summary);
        summaries.push(summary);
        writeFileSync(join(dir, "results.csv"), toCsv(summaries.map(csvRow)));
        if (!summary.checks.passed) {
          failures.push({
            variant: variant.label,
            repetition: rep,
            seed,
            failed: summary.checks.failed,
            inconclusive: summary.checks.inconclusive,
            safety: summary.checks.failed_safety,
            liveness: summary.checks.failed_liveness,
            details: [
              ...outcome.checks
                .filter((c) => !c.passed)
                .flatMap((c) => c.violations.map((v) => `[${c.name}] ${v}`)),
              ...(outcome.error ? [outcome.error] : []),
            ],
          });
        }
        if (opts.aborted?.()) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) break;
    }
  } finally {
    progress.stop();
  }
  const table = summaryTable(summaries);
  writeFileSync(join(dir, "summary.txt"), `${table}\n`);
  writeFileSync(join(dir, "results.csv"), toCsv(summaries.map(csvRow)));
  return { dir, summaries, table, failures, interrupted };
}
