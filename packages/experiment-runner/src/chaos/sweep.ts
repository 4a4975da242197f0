// Many chaos seeds through the runner's own path (resolve, run, check, write results), tallied:
// what the chaos soak script and the chaos tests call. Every run ends with the mode's checks
// (in sim: agreement, validity, at-most-once, order, results), "commits resume after every
// heal" and the linearizability check of its history; a failure comes back with the command
// that replays it from the results folder's config.json (which holds every run's schedule).

import { join } from "node:path";
import { resolveConfig } from "../config/resolve.js";
import type { RawConfig } from "../config/types.js";
import type { Progress } from "../progress.js";
import { runExperiment } from "../run/runner.js";
import type { Summary } from "../stats.js";

export interface SweepOptions {
  /** first seed; runs use from .. from + seeds - 1 (as repetitions of every variant) */
  from: number;
  seeds: number;
  /** results base folder */
  outBase: string;
  /** keep only the variants with these labels */
  variants?: readonly string[];
  /** called after every run */
  onRun?: (summary: Summary, done: number, total: number) => void;
}

export interface SweepFailure {
  variant: string;
  seed: number;
  failed: string[];
  details: string[];
  replay: string;
}

export interface SweepResult {
  dir: string;
  runs: number;
  variants: string[];
  /** operations in the histories, every one checked for linearizability */
  operations: number;
  completed: number;
  /** faults applied, by kind (crash, restart, partition, isolate, heal, link, recover) */
  faults: Record<string, number>;
  leaderChanges: number;
  healsChecked: number;
  finalReads: number;
  failures: SweepFailure[];
  wallMs: number;
}

export async function chaosSweep(raw: RawConfig, o: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const config: RawConfig = {
    ...structuredClone(raw),
    seed: o.from,
    repetitions: o.seeds,
    ...(o.variants
      ? {
          quorums: raw.quorums.filter(
            (q) => q.label !== undefined && o.variants!.includes(q.label),
          ),
        }
      : {}),
  };
  if (config.chaos) delete config.chaos.schedules;
  const exp = resolveConfig(config);
  const total = exp.variants.length * o.seeds;
  const tally: Omit<SweepResult, "dir" | "failures" | "wallMs"> = {
    runs: 0,
    variants: exp.variants.map((v) => v.label),
    operations: 0,
    completed: 0,
    faults: {},
    leaderChanges: 0,
    healsChecked: 0,
    finalReads: 0,
  };
  const progress: Progress = {
    start() {},
    update() {},
    stop() {},
    end(s) {
      tally.runs++;
      tally.operations += s.ops.invoked;
      tally.completed += s.ops.completed;
      tally.leaderChanges += s.leadership_changes;
      for (const f of s.faults) {
        if (/skipped/.test(f.what)) continue;
        const kind = f.what.split(/[ :]/)[0] ?? "?";
        tally.faults[kind] = (tally.faults[kind] ?? 0) + 1;
      }
      const chaos = s.extra.chaos as { heals_checked?: number; final_reads?: number } | undefined;
      tally.healsChecked += chaos?.heals_checked ?? 0;
      tally.finalReads += chaos?.final_reads ?? 0;
      o.onRun?.(s, tally.runs, total);
    },
  };
  const result = await runExperiment(exp, { outBase: o.outBase, progress });
  const configFile = join(result.dir, "config.json");
  return {
    ...tally,
    dir: result.dir,
    failures: result.failures.map((f) => ({
      variant: f.variant,
      seed: f.seed,
      failed: [...f.failed, ...f.inconclusive],
      details: f.details,
      replay: `paxos-lab run ${configFile} --seed ${f.seed} --repetitions 1`,
    })),
    wallMs: performance.now() - started,
  };
}

export function formatFailures(failures: readonly SweepFailure[], limit = 5): string {
  return failures
    .slice(0, limit)
    .map(
      (f) =>
        `  ${f.variant} seed ${f.seed}: ${f.failed.join(", ")}\n` +
        f.details
          .slice(0, 3)
          .map((d) => `    ${d}\n`)
          .join("") +
        `    replay: ${f.replay}`,
    )
    .join("\n");
}
