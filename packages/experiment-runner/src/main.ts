// paxos-lab: run, validate, schema, check (the command line; src/cli.ts is the executable entry).
//
//   paxos-lab run <config.json> [--mode sim|local|netns] [--seed N] [--repetitions N] [--out DIR] [--quick]
//   paxos-lab validate <config.json>
//   paxos-lab schema
//   paxos-lab check <history> [--format ndjson|jepsen|porcupine-kv] [--budget-ms N] [--json]
//   paxos-lab report <results-dir>               (also at the end of run, unless --no-report)
//   paxos-lab compare <results-dir> <results-dir>... [--out DIR]
//   paxos-lab netns clean [--prefix pl] [--force]   (leftovers of a crashed netns run)
//
// Exit codes (the README's table): 0 every run completed and every check passed (`check`:
// linearizable); 1 a safety check failed (agreement, validity, at-most-once, order, results,
// linearizability: something wrong was done; which one and the seed are printed; `check`: not
// linearizable); 3 only liveness checks failed (progress during faults, commits resume,
// converged: something right was not done in time); 2 unknown: a check could not decide (the
// linearizability search ran out of time) or a run did not complete; 64 a bad command line; 65
// bad input data: a config or history that is malformed, missing or unreadable, or not a
// results folder; 69 the environment failed (a node process did not start); 130 interrupted
// (Ctrl-C), after everything started was torn down.

import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import {
  CALIBRATION_DIR,
  checkAndRecord,
  DEFAULT_TIME_BUDGET_MS,
  describeSliceOp,
  FAILURE_SVG,
  HISTORY_FORMATS,
  HistoryError,
  type HistoryFormat,
  type HistoryOp,
  readHistory,
  writeComparison,
} from "@paxos/analysis";
import type Yargs from "yargs";
import { type Experiment, loadConfigFile } from "./config/resolve.js";
import { CONFIG_SCHEMA } from "./config/schema.js";
import { ConfigError, type Mode } from "./config/types.js";
import { closest } from "./config/validate.js";
import { EXIT } from "./exit-codes.js";
import { netnsUnavailable } from "./netns/preflight.js";
import { cmdNetnsClean } from "./netns-commands.js";
import { BarProgress, LineProgress, type Progress } from "./progress.js";
import { cmdCompare, cmdReport, reportAfterRun } from "./report-commands.js";
import { applyOverrides, runExperiment } from "./run/runner.js";
import { EnvironmentError } from "./run/types.js";

// yargs's CommonJS build: its ES-module build wraps help text with a plain column splitter that
// breaks words ("witho ut", "linea rizability"); the CommonJS one wraps at word boundaries.
const yargs = createRequire(import.meta.url)("yargs") as typeof Yargs;

export { EXIT };

class UsageError extends Error {}

const KNOWN_FLAGS = [
  "mode",
  "seed",
  "repetitions",
  "out",
  "quick",
  "budget-ms",
  "json",
  "format",
  "no-report",
  "calibrate",
  "help",
  "version",
];

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}
function err(text: string): void {
  process.stderr.write(`${text}\n`);
}

function load(file: string): Experiment | null {
  try {
    return loadConfigFile(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      err("nothing was run.");
      return null;
    }
    throw e;
  }
}

async function cmdValidate(file: string): Promise<number> {
  const exp = load(file);
  if (!exp) return EXIT.badInput;
  const c = exp.config;
  out(`${file}: ok (${c.mode} mode, seed ${c.seed}, ${c.repetitions} repetition(s))`);
  for (const v of exp.variants) {
    out(
      `  ${v.label}: ${v.describe}${v.thrifty ? ", thrifty" : ""} over ${v.acceptors.join(", ")}`,
    );
  }
  return EXIT.ok;
}

/**
 * --calibrate: the same experiment in the simulator, into <dir>/calibration/, and the two
 * compared per variant there (the report shows the comparison's figures).
 */
async function calibrate(
  loaded: Experiment,
  flags: { seed?: number; repetitions?: number; quick?: boolean },
  dir: string,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<void> {
  // named <name>.sim, so the comparison's legend tells the two worlds apart
  const named = { ...loaded, config: { ...loaded.config, name: `${loaded.config.name}.sim` } };
  const sim = applyOverrides(named, {
    mode: "sim",
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.repetitions === undefined ? {} : { repetitions: flags.repetitions }),
    ...(flags.quick ? { quick: true } : {}),
  });
  err("calibration: the same experiment in the simulator");
  const base = join(dir, CALIBRATION_DIR);
  const progress: Progress = process.stderr.isTTY ? new BarProgress() : new LineProgress(err);
  const r = await runExperiment(sim, { outBase: base, progress });
  const c = await writeComparison([r.dir, dir], base);
  const rel = relative(process.cwd(), c.html);
  out(`calibration: ${rel.startsWith("..") ? c.html : rel}`);
}

async function cmdRun(
  file: string,
  flags: {
    mode?: Mode;
    seed?: number;
    repetitions?: number;
    out?: string;
    quick?: boolean;
    report?: boolean;
    calibrate?: boolean;
  },
): Promise<number> {
  const loaded = load(file);
  if (!loaded) return EXIT.badInput;
  let exp: Experiment;
  try {
    exp = applyOverrides(loaded, {
      ...(flags.mode === undefined ? {} : { mode: flags.mode }),
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      ...(flags.repetitions === undefined ? {} : { repetitions: flags.repetitions }),
      ...(flags.quick ? { quick: true } : {}),
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return EXIT.badInput;
    }
    throw e;
  }
  const c = exp.config;
  if (c.mode === "netns") {
    // before anything starts: one line that says what is missing and how to run instead
    const why = netnsUnavailable();
    if (why !== undefined) {
      err(`paxos-lab run: ${why}`);
      return EXIT.unknown;
    }
  }
  const runs = exp.variants.length * c.repetitions;
  err(
    `${c.name}: ${exp.variants.length} variant(s) x ${c.repetitions} repetition(s) = ${runs} run(s), ` +
      `${c.mode} mode${c.mode === "sim" ? " (simulated time)" : ""}, ${c.workload.durationMs} ms each, seed ${c.seed}`,
  );
  const progress: Progress = process.stderr.isTTY ? new BarProgress() : new LineProgress(err);
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1)
      err("\ninterrupted: stopping after tearing down the current run (Ctrl-C again to force)");
    else process.exit(EXIT.interrupted);
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);
  try {
    const result = await runExperiment(exp, {
      ...(flags.out === undefined ? {} : { outBase: flags.out }),
      progress,
      announce: err,
      aborted: () => interrupts > 0,
    });
    out("");
    out(result.table);
    out("");
    const rel = relative(process.cwd(), result.dir);
    out(`results: ${rel.startsWith("..") ? result.dir : rel}`);
    if (flags.calibrate && c.mode !== "sim" && !result.interrupted) {
      await calibrate(loaded, flags, result.dir, out, err);
    }
    if (flags.report !== false && !result.interrupted && result.summaries.length > 0) {
      await reportAfterRun(result.dir, out, err);
    }
    if (result.interrupted) return EXIT.interrupted;
    if (result.failures.length > 0) {
      for (const f of result.failures) {
        const what = [...f.failed, ...f.inconclusive.map((x) => `${x} undecided (out of time)`)];
        // what the failure means: something wrong was done, or something right not in time
        const meaning = [
          ...(f.safety.length > 0 ? ["SAFETY"] : []),
          ...(f.liveness.length > 0 ? ["LIVENESS"] : []),
        ];
        err(
          `${f.failed.length > 0 ? "FAILED" : "UNDECIDED"}: ${f.variant} rep ${f.repetition} ` +
            `(seed ${f.seed}): ${what.join(", ")}${meaning.length > 0 ? ` [${meaning.join(", ")}]` : ""}; replay with: paxos-lab run ${file} --seed ${f.seed}` +
            `${c.repetitions > 1 ? " --repetitions 1" : ""}${flags.mode ? ` --mode ${flags.mode}` : ""}` +
            `${flags.quick ? " --quick" : ""}`,
        );
        for (const d of f.details.slice(0, 5)) err(`  ${d}`);
      }
      // a failed safety check: 1; else a failed liveness check: 3; a run that did not complete
      // or a check that could not decide: 2
      if (result.failures.some((f) => f.safety.length > 0)) return EXIT.checkFailed;
      if (result.failures.some((f) => f.liveness.length > 0)) return EXIT.livenessFailed;
      return EXIT.unknown;
    }
    return EXIT.ok;
  } catch (e) {
    progress.stop();
    if (e instanceof EnvironmentError) {
      err(`error: ${e.message}`);
      return EXIT.unavailable;
    }
    if (e instanceof ConfigError) {
      err(`error: ${e.message}`);
      return EXIT.badInput;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
}

/** `paxos-lab check <history>`: 0 linearizable, 1 not, 2 undecided, 65 a bad or unreadable history. */
async function cmdCheck(
  file: string,
  flags: { budgetMs: number; json: boolean; format: HistoryFormat },
): Promise<number> {
  let history: HistoryOp[];
  try {
    history = readHistory(file, flags.format);
  } catch (e) {
    if (e instanceof HistoryError) {
      err(e.message);
      err("hint: the formats are described in docs/history-format.md");
      return EXIT.badInput;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "EACCES") {
      err(`${file}: cannot read the history (${code})`);
      return EXIT.badInput;
    }
    throw e;
  }
  let dir: string | undefined = dirname(file);
  const { result, record } = (() => {
    try {
      return checkAndRecord(history, { timeBudgetMs: flags.budgetMs, dir });
    } catch (e) {
      // a read-only folder: check anyway, without writing checks.json and the timeline
      if (
        (e as NodeJS.ErrnoException).code !== "EACCES" &&
        (e as NodeJS.ErrnoException).code !== "EROFS"
      )
        throw e;
      dir = undefined;
      return checkAndRecord(history, { timeBudgetMs: flags.budgetMs });
    }
  })();
  const s = result.stats;
  if (flags.json) out(JSON.stringify(record, null, 2));
  else {
    out(
      `${file}: ${result.verdict} (${s.operations} operations, ${s.keys} keys, ` +
        `${s.unknownOutcome} with unknown outcome; checked in ${(s.elapsedMs / 1000).toFixed(2)} s)`,
    );
    if (result.verdict === "unknown") out(`  ${result.reason}`);
    if (result.verdict === "not linearizable") {
      out(
        `  key ${JSON.stringify(result.key)}: a failing slice of ${result.slice.length} of its ` +
          `${result.keyOperations} operations${result.minimal ? "" : " (not fully shrunk: out of time)"}:`,
      );
      for (const o of result.slice) {
        out(`    ${o.line === undefined ? "" : `line ${o.line}: `}${describeSliceOp(o)}`);
      }
      for (const l of result.explanation.split("\n")) out(`  ${l}`);
      if (dir !== undefined) {
        const svg = relative(process.cwd(), `${dir}/${FAILURE_SVG}`);
        out(`  timeline: ${svg}`);
      }
    }
  }
  if (result.verdict === "linearizable") return EXIT.ok;
  return result.verdict === "not linearizable" ? EXIT.checkFailed : EXIT.unknown;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  // `pnpm lab -- run x.json` passes the `--` on: it separates pnpm's options from ours, and
  // yargs would take everything after it for positionals and run no command at all.
  const parser = yargs(argv[0] === "--" ? argv.slice(1) : argv)
    .scriptName("paxos-lab")
    .usage("$0 <command> [options]")
    .command(
      "run <config>",
      "run every variant of an experiment and write its results",
      (y) =>
        y
          .positional("config", {
            type: "string",
            demandOption: true,
            describe: "experiment config (JSON)",
          })
          .option("mode", {
            choices: ["sim", "local", "netns"] as const,
            describe: "override the config's mode (netns: a network namespace per node; root)",
          })
          .option("seed", { type: "string", describe: "override the config's seed (an integer)" })
          .option("repetitions", {
            type: "string",
            describe: "override the config's repetitions (with --seed N: replay one run)",
          })
          .option("out", {
            type: "string",
            describe: "results folder (default experiments/results)",
          })
          .option("quick", {
            type: "boolean",
            default: false,
            describe: "shorten every run to about 2 s and one repetition (smoke test)",
          })
          .option("calibrate", {
            type: "boolean",
            default: false,
            describe:
              "local/netns: also run the experiment in the simulator and put the two side by side per variant in the report",
          })
          .option("report", {
            type: "boolean",
            default: true,
            describe: "write report.html, summary.md and plots/ at the end (--no-report: skip)",
          })
          .strict(),
      async (a) => {
        const seed = numberFlag("seed", a.seed, "a non-negative integer");
        const repetitions = numberFlag("repetitions", a.repetitions, "a positive integer");
        if (seed === null || repetitions === null) {
          code = EXIT.usage;
          return;
        }
        code = await cmdRun(a.config, {
          ...(a.mode === undefined ? {} : { mode: a.mode }),
          ...(seed === undefined ? {} : { seed }),
          ...(repetitions === undefined ? {} : { repetitions }),
          ...(a.out === undefined ? {} : { out: a.out }),
          quick: a.quick,
          report: a.report,
          calibrate: a.calibrate,
        });
      },
    )
    .command(
      "validate <config>",
      "check a config (schema, ids, quorum safety) without running it",
      (y) => y.positional("config", { type: "string", demandOption: true }).strict(),
      async (a) => {
        code = await cmdValidate(a.config);
      },
    )
    .command(
      "schema",
      "print the JSON schema of experiment configs",
      (y) => y.strict(),
      () => {
        out(JSON.stringify(CONFIG_SCHEMA, null, 2));
      },
    )
    .command(
      "check <history>",
      "check a client history (history.ndjson) for linearizability",
      (y) =>
        y
          .positional("history", {
            type: "string",
            demandOption: true,
            describe: "the history (docs/history-format.md)",
          })
          .option("format", {
            choices: HISTORY_FORMATS,
            default: "ndjson" as HistoryFormat,
            describe:
              "ndjson: one JSON operation a line (paxos-lab's own); jepsen: Jepsen's history.edn " +
              "(register and key-value workloads); porcupine-kv: Porcupine's kv logs",
          })
          .option("budget-ms", {
            type: "string",
            default: String(DEFAULT_TIME_BUDGET_MS),
            describe: "give up with 'unknown' (exit 2) after this many ms of searching",
          })
          .option("json", {
            type: "boolean",
            default: false,
            describe: "print the result as JSON (as in checks.json)",
          })
          .strict(),
      async (a) => {
        const budget = numberFlag("budget-ms", a["budget-ms"], "a positive number");
        if (budget === null || budget === undefined) {
          code = EXIT.usage;
          return;
        }
        code = await cmdCheck(a.history, { budgetMs: budget, json: a.json, format: a.format });
      },
    )
    .command(
      "report <dir>",
      "write report.html, summary.md and plots/*.svg into a results folder",
      (y) =>
        y
          .positional("dir", {
            type: "string",
            demandOption: true,
            describe: "a results folder (experiments/results/<utc>_<name>, or .../latest)",
          })
          .strict(),
      async (a) => {
        code = await cmdReport(a.dir, out, err);
      },
    )
    .command(
      "compare <dirs..>",
      "compare the same variants across results folders, with ratios",
      (y) =>
        y
          .positional("dirs", {
            type: "string",
            array: true,
            demandOption: true,
            describe: "two or more results folders; ratios are against the first",
          })
          .option("out", {
            type: "string",
            describe: "where to write compare.html (default experiments/results/<utc>_compare)",
          })
          .strict(),
      async (a) => {
        code = await cmdCompare(a.dirs, a.out, out, err);
      },
    )
    .command(
      "netns clean",
      "remove what a crashed netns run left (namespaces, veths, bridge; only our own names)",
      (y) =>
        y
          .option("prefix", {
            type: "string",
            default: "pl",
            describe: "the name base the runs used (the config's netns.prefix, default pl)",
          })
          .option("force", {
            type: "boolean",
            default: false,
            describe: "also remove testbeds whose runner still runs",
          })
          .strict(),
      async (a) => {
        code = await cmdNetnsClean({ prefix: a.prefix, force: a.force }, out, err);
      },
    )
    .demandCommand(
      1,
      "name a command: run, validate, schema, check, report, compare or netns clean",
    )
    .recommendCommands()
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, e) => {
      if (e) throw e;
      if (/^Did you mean/.test(msg)) {
        err("paxos-lab: unknown command");
        err(
          `hint: ${msg.replace(/^Did/, "did")} (commands: run, validate, schema, check, report, compare)`,
        );
      } else {
        err(`paxos-lab: ${msg}`);
        err(`hint: ${hintFor(msg)}`);
      }
      // throwing is what stops yargs from running the command anyway
      throw new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageError) return EXIT.usage;
    throw e;
  }
  return code;
}

/**
 * A numeric flag read from its text, so a bad value is shown as typed (`--seed abc`, not
 * "NaN"); undefined when absent, null (after printing why) when bad.
 */
function numberFlag(
  name: string,
  raw: string | undefined,
  rule: "a non-negative integer" | "a positive integer" | "a positive number",
): number | undefined | null {
  if (raw === undefined) return undefined;
  const n = raw.trim() === "" ? Number.NaN : Number(raw);
  const ok =
    rule === "a positive number"
      ? Number.isFinite(n) && n > 0
      : Number.isSafeInteger(n) && (rule === "a non-negative integer" ? n >= 0 : n >= 1);
  if (ok) return n;
  err(`paxos-lab: --${name} must be ${rule}, got ${JSON.stringify(raw)}`);
  return null;
}

/** A one-line hint for a yargs usage error: the flag meant, or where to look. */
export function hintFor(msg: string): string {
  const unknown = /Unknown arguments?: (.+)/.exec(msg);
  if (unknown) {
    const first = unknown[1]!.split(",")[0]!.trim().replace(/^-+/, "");
    const guess = closest(first, KNOWN_FLAGS);
    if (guess) return `did you mean --${guess}? see paxos-lab run --help`;
    return "the options are --mode, --seed, --out and --quick; see paxos-lab run --help";
  }
  if (/Not enough non-option arguments|Missing required argument/.test(msg)) {
    return "e.g. paxos-lab run configs/quickstart.json";
  }
  if (/Invalid values/.test(msg)) return "--mode is sim or local";
  return "see paxos-lab --help";
}
