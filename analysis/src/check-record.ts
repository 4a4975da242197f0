// The checker's record of a history: checks.json (the verdict, time taken, operations checked
// and, on failure, the failing slice and its explanation) and the SVG timeline of a failing slice
// (linearizability-failure.svg). Used by `paxos-lab` after every run and by `paxos-lab check`.
// "Report" in this toolkit means only a results folder's report.html/summary.md/plots
// (experiment-report.ts); the terminal's progress lines are progress.ts of the runner.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type HistoryOp, parseHistory } from "./history.js";
import { parseJepsenHistory } from "./jepsen-history.js";
import {
  type CheckOptions,
  checkLinearizability,
  DEFAULT_TIME_BUDGET_MS,
  type LinearizabilityResult,
} from "./linearizability.js";
import { parsePorcupineKvLog } from "./porcupine-history.js";
import { timelineSvg } from "./timeline.js";

export const FAILURE_SVG = "linearizability-failure.svg";
export const CHECKS_FILE = "checks.json";

/** The history formats `paxos-lab check --format` reads (docs/history-format.md). */
export const HISTORY_FORMATS = ["ndjson", "jepsen", "porcupine-kv"] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** Reads and parses a history file (throws HistoryError naming the bad lines and fields). */
export function readHistory(path: string, format: HistoryFormat = "ndjson"): HistoryOp[] {
  const text = readFileSync(path, "utf8");
  switch (format) {
    case "ndjson":
      return parseHistory(text, { source: path });
    case "jepsen":
      return parseJepsenHistory(text, path);
    case "porcupine-kv":
      return parsePorcupineKvLog(text, path);
  }
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** The "linearizability" entry of checks.json (snake_case, like summary.json). */
export function checkRecord(
  result: LinearizabilityResult,
  extra: { budgetMs?: number; timeline?: string | null } = {},
): Record<string, unknown> {
  const s = result.stats;
  const base: Record<string, unknown> = {
    verdict: result.verdict,
    elapsed_ms: r1(s.elapsedMs),
    budget_ms: extra.budgetMs ?? DEFAULT_TIME_BUDGET_MS,
    operations: s.operations,
    operations_searched: s.searched,
    unknown_outcome: s.unknownOutcome,
    keys: s.keys,
    keys_checked: s.keysChecked,
    max_key_operations: s.maxKeyOperations,
    search_steps: s.steps,
  };
  if (result.verdict === "unknown") base.reason = result.reason;
  if (result.verdict === "not linearizable") {
    base.key = result.key;
    base.key_operations = result.keyOperations;
    base.slice_minimal = result.minimal;
    base.explanation = result.explanation;
    base.slice = result.slice.map((o) => ({
      index: o.index,
      ...(o.line === undefined ? {} : { line: o.line }),
      clientId: o.clientId,
      ...(o.seq === undefined ? {} : { seq: o.seq }),
      op: o.op,
      result: o.result,
      invokedAt: o.invokedAt,
      returnedAt: o.returnedAt,
    }));
    if (extra.timeline) base.timeline = extra.timeline;
  }
  return base;
}

/** Writes the failing slice's timeline into `dir`; returns the file name, or null when there is nothing to draw. */
export function writeFailureTimeline(dir: string, result: LinearizabilityResult): string | null {
  if (result.verdict !== "not linearizable") return null;
  const svg = timelineSvg(result.slice, {
    title: `not linearizable: key ${JSON.stringify(result.key)}, ${result.slice.length} of its ${result.keyOperations} operation(s)`,
    notes: result.explanation,
  });
  writeFileSync(join(dir, FAILURE_SVG), svg);
  return FAILURE_SVG;
}

export interface CheckRunOptions extends CheckOptions {
  /** write the timeline of a failing slice into this folder */
  dir?: string;
}

/** Checks a history and, with `dir`, writes checks.json and the failure timeline there. */
export function checkAndRecord(
  history: readonly HistoryOp[],
  opts: CheckRunOptions = {},
): { result: LinearizabilityResult; record: Record<string, unknown> } {
  const result = checkLinearizability(history, opts);
  let timeline: string | null = null;
  if (opts.dir !== undefined) timeline = writeFailureTimeline(opts.dir, result);
  const record = checkRecord(result, {
    ...(opts.timeBudgetMs === undefined ? {} : { budgetMs: opts.timeBudgetMs }),
    timeline,
  });
  if (opts.dir !== undefined) {
    writeFileSync(
      join(opts.dir, CHECKS_FILE),
      `${JSON.stringify({ linearizability: record }, null, 2)}\n`,
    );
  }
  return { result, record };
}
