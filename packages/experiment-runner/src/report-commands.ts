// `paxos-lab report <results-dir>` and `paxos-lab compare <dir> <dir>...`, and the report written
// at the end of `paxos-lab run` (unless --no-report). The work is @paxos/analysis's; this file
// only prints where things went and maps errors to exit codes (0 written, 64 fewer than two
// folders to compare, 65 a folder that is not results).

import { join, relative } from "node:path";
import { ResultsError, writeComparison, writeReport } from "@paxos/analysis";
import { EXIT } from "./exit-codes.js";
import { defaultResultsBase, utcStamp } from "./results.js";

type Print = (line: string) => void;

const shown = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
};

/** Writes report.html, summary.md and plots/ into a results folder; 0, or 65 on a bad folder. */
export async function cmdReport(dir: string, out: Print, err: Print): Promise<number> {
  try {
    const r = await writeReport(dir);
    out(`report: ${shown(r.html)}`);
    out(
      `summary: ${shown(r.markdown)}; plots: ${r.plots.length} SVG(s) in ${shown(join(r.dir, "plots"))}`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ResultsError) {
      err(`paxos-lab report: ${e.message}`);
      err("hint: name a folder written by paxos-lab run, e.g. experiments/results/latest");
      return EXIT.badInput;
    }
    throw e;
  }
}

/** The report at the end of a run: a failure here is reported but leaves the run's exit code. */
export async function reportAfterRun(dir: string, out: Print, err: Print): Promise<void> {
  try {
    const r = await writeReport(dir);
    out(`report: ${shown(r.html)}`);
  } catch (e) {
    err(`warning: the results are written but the report failed: ${(e as Error).message}`);
    err(`  retry with: paxos-lab report ${shown(dir)}`);
  }
}

/** Compares results folders into `outDir` (default experiments/results/<utc>_compare). */
export async function cmdCompare(
  dirs: readonly string[],
  outDir: string | undefined,
  out: Print,
  err: Print,
): Promise<number> {
  if (dirs.length < 2) {
    err("paxos-lab compare: name at least two results folders");
    err("hint: paxos-lab compare experiments/results/<before> experiments/results/<after>");
    return EXIT.usage;
  }
  const target = outDir ?? join(defaultResultsBase(), `${utcStamp()}_compare`);
  try {
    const c = await writeComparison(dirs, target);
    for (const [i, r] of c.comparison.runs.entries())
      out(`${i + 1}. ${r.label} (${r.stats.results.mode})`);
    for (const w of c.comparison.warnings) err(`warning: ${w}`);
    out("");
    const { header, rows } = c.comparison;
    const text = (x: (typeof rows)[number][number]) => (typeof x === "string" ? x : x.text);
    const cells = [header, ...rows.map((r) => r.map(text))];
    const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
    for (const r of cells)
      out(
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      );
    out("");
    out(`comparison: ${shown(c.html)} (and compare.md, plots/)`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ResultsError) {
      err(`paxos-lab compare: ${e.message}`);
      return EXIT.badInput;
    }
    throw e;
  }
}
