// The report of one results folder (`paxos-lab report <dir>`, and at the end of every
// `paxos-lab run`): report.html (self-contained: inline SVG and CSS, no scripts, no network),
// plots/*.svg and summary.md, all written into the results folder.
//
//   report.html  what was run, the summary table of every variant with the answer at a glance
//                (who wins, by how much), the figures, the safety checks, the faults' effects,
//                the resolved config and the environment
//   plots/       throughput-by-variant, latency-by-variant, latency-cdf, throughput-over-time,
//                and for sweeps sweep-throughput and sweep-latency
//   summary.md   the summary table as Markdown, to paste into a paper or an issue

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CheckCount,
  type ExperimentStats,
  experimentStats,
  type VariantStats,
} from "./aggregate.js";
import { maxOf } from "./extent.js";
import { type Cell, esc, htmlTable, inlineSvg, markdownTable, page } from "./html.js";
import { experimentFigures, type Figure, faultMarks, formatNumber } from "./plots.js";
import { loadResults } from "./results.js";
import { type Estimate, tQuantile } from "./stats.js";

export const REPORT_HTML = "report.html";
export const SUMMARY_MD = "summary.md";
export const PLOTS_DIR = "plots";

export interface ReportOptions {
  /** confidence level of the intervals (default 0.95) */
  confidence?: number;
}

export interface WrittenReport {
  dir: string;
  html: string;
  markdown: string;
  plots: string[];
  stats: ExperimentStats;
}

/** "155 ± 3.2" (the interval's half-width) or "155" with one repetition. */
export function withCi(e: Estimate | null): string {
  if (e === null) return "-";
  const m = formatNumber(e.mean);
  if (e.ci === null) return m;
  // the half-width to the mean's decimals (8.12 ± 0.07), one significant digit if that is 0
  const decimals = m.includes(".") ? m.length - m.indexOf(".") - 1 : 0;
  let hw = e.ci.halfWidth.toFixed(decimals);
  if (Number(hw) === 0 && e.ci.halfWidth > 0) hw = e.ci.halfWidth.toPrecision(1);
  return `${m} ± ${hw}`;
}

const ratio = (x: number | undefined | null, base: number | undefined | null) =>
  x === null || x === undefined || base === null || base === undefined || base === 0
    ? "-"
    : `×${(x / base).toFixed(2)}`;

/** A system that leaves no client history (LibPaxos): nothing could be checked. */
const unchecked = (v: VariantStats) => v.info.system?.history === false;

function checksCell(v: VariantStats): Cell {
  const runs = v.runs.length;
  const total = v.checks.reduce((n, c) => n + c.runs, 0);
  const passed = v.checks.reduce((n, c) => n + c.passed, 0);
  if (unchecked(v) && v.verdict === "ok") {
    return {
      text: "not checked",
      cls: "warn",
      title: `${v.info.system?.name}: no client history, no state machine: nothing to check`,
    };
  }
  if (v.verdict === "ok") {
    return {
      text: `${passed}/${total} ok`,
      cls: "ok",
      title: `${runs} run(s), every check passed`,
    };
  }
  const failed = v.checks.filter((c) => c.failed > 0).map((c) => c.name);
  const undecided = v.checks.filter((c) => c.undecided > 0).map((c) => c.name);
  return v.verdict === "failed"
    ? { text: `${passed}/${total} FAIL (${failed.join(", ")})`, cls: "fail" }
    : { text: `${passed}/${total} UNDECIDED (${undecided.join(", ")})`, cls: "warn" };
}

/** The summary table: one row per variant. */
export function summaryRows(stats: ExperimentStats): { header: string[]; rows: Cell[][] } {
  const baseOf = (v: VariantStats) => groupBase(stats, v);
  const header = [
    "variant",
    "quorum system",
    "runs",
    "throughput (ops/s)",
    "mean (ms)",
    "p50 (ms)",
    "p90 (ms)",
    "p99 (ms)",
    "p99.9 (ms)",
    "max (ms)",
    "ops/s ratio",
    "p50 ratio",
    "mean ratio",
    "checks",
  ];
  const rows = stats.variants.map((v): Cell[] => [
    v.info.label,
    v.info.quorum,
    String(v.runs.length),
    withCi(v.throughput),
    withCi(v.meanLatency),
    withCi(v.p50),
    withCi(v.p90),
    withCi(v.p99),
    withCi(v.p999),
    formatNumber(v.max),
    ratio(v.throughput?.mean, baseOf(v)?.throughput?.mean),
    ratio(v.p50?.mean, baseOf(v)?.p50?.mean),
    ratio(v.meanLatency?.mean, baseOf(v)?.meanLatency?.mean),
    checksCell(v),
  ]);
  return { header, rows };
}

const NUMERIC = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

/** One sentence per system in the experiment: what its latency measures, what was checked. */
export function systemNotes(stats: ExperimentStats): string[] {
  const seen = new Map<string, string>();
  for (const v of stats.variants) {
    const s = v.info.system;
    if (!s || seen.has(s.name)) continue;
    seen.set(
      s.name,
      `${s.name}: latency is ${s.latency_measures}.${s.history ? "" : " It keeps no key-value state and leaves no client history, so its rows are not checked."}`,
    );
  }
  // a report of our engine alone needs no such note
  return seen.size > 1 || [...seen.keys()].some((k) => k !== "paxos-lab") ? [...seen.values()] : [];
}

/** The key of a variant's comparison group: systems side by side on one quorum and load. */
const groupKey = (v: VariantStats) =>
  v.info.system ? `${v.info.system.quorum_label}\u0000${v.info.system.outstanding}` : "";

/**
 * The row a variant's ratios are against: the first row. When systems run side by side, the
 * first row of its group (same quorum variant, same outstanding count), so each ratio compares
 * systems under the same load.
 */
export function groupBase(stats: ExperimentStats, v: VariantStats): VariantStats | undefined {
  return stats.variants.find((w) => groupKey(w) === groupKey(v));
}

const grouped = (stats: ExperimentStats) => new Set(stats.variants.map(groupKey)).size > 1;

const base0 = (stats: ExperimentStats) =>
  grouped(stats)
    ? "the first row with the same quorum variant and outstanding count (systems side by side under the same load)"
    : `the first variant, ${stats.variants[0]?.info.label ?? "-"}`;

function overlaps(a: Estimate | null, b: Estimate | null): boolean {
  if (!a?.ci || !b?.ci) return false;
  return a.ci.low <= b.ci.high && b.ci.low <= a.ci.high;
}

/** The answer at a glance: who wins throughput, median and tail latency, and the checks. */
export function glance(stats: ExperimentStats): string[] {
  const vs = stats.variants.filter((v) => v.throughput !== null);
  const out: string[] = [];
  // against the first row, or the first of its group when systems sit side by side
  const baseOf = (v: VariantStats) => groupBase(stats, v) ?? stats.variants[0]!;
  const by = (f: (v: VariantStats) => number | undefined, dir: 1 | -1) =>
    [...vs]
      .filter((v) => f(v) !== undefined)
      .sort((a, b) => dir * (f(a)! - f(b)!))
      .slice(0, 2);
  const unit = stats.time === "simulated" ? " (simulated time)" : "";
  if (vs.length === 1) {
    // one variant: nothing to rank, only to state
    const v = vs[0]!;
    out.push(
      `${v.info.label}: throughput ${formatNumber(v.throughput?.mean)} ops/s${unit}, ` +
        `p50 ${formatNumber(v.p50?.mean)} ms, p99 ${formatNumber(v.p99?.mean)} ms.`,
    );
  }
  const [t1, t2] = vs.length > 1 ? by((v) => v.throughput?.mean, -1) : [];
  if (t1) {
    const base = baseOf(t1);
    const vsBase =
      t1 === base
        ? ""
        : `, ${ratio(t1.throughput?.mean, base.throughput?.mean)} of ${base.info.label}`;
    const vsNext = t2
      ? `; next: ${t2.info.label} at ${formatNumber(t2.throughput?.mean)} ops/s`
      : "";
    const sig =
      t2 && overlaps(t1.throughput, t2.throughput)
        ? ` (their ${Math.round(stats.confidence * 100)}% intervals overlap: not a clear difference)`
        : "";
    out.push(
      `Highest throughput: ${t1.info.label}, ${formatNumber(t1.throughput?.mean)} ops/s${unit}${vsBase}${vsNext}${sig}.`,
    );
  }
  const [l1] = vs.length > 1 ? by((v) => v.p50?.mean, 1) : [];
  if (l1) {
    const base = baseOf(l1);
    out.push(
      `Lowest median latency: ${l1.info.label}, p50 ${formatNumber(l1.p50?.mean)} ms` +
        (l1 === base ? "." : ` (${ratio(l1.p50?.mean, base.p50?.mean)} of ${base.info.label}).`),
    );
  }
  const [p1] = vs.length > 1 ? by((v) => v.p99?.mean, 1) : [];
  if (p1) out.push(`Lowest tail latency: ${p1.info.label}, p99 ${formatNumber(p1.p99?.mean)} ms.`);
  const checked = stats.variants.filter((v) => !unchecked(v));
  const runs = checked.reduce((n, v) => n + v.runs.length, 0);
  const failed = stats.variants.filter((v) => v.verdict === "failed");
  const undecided = stats.variants.filter((v) => v.verdict === "undecided");
  const failedOf = (kind: CheckCount["kind"]) =>
    failed.filter((v) => v.checks.some((c) => c.kind === kind && c.failed > 0));
  const unsafe = failedOf("safety");
  const stalled = failedOf("liveness");
  const broken = failedOf("run");
  if (unsafe.length > 0) {
    out.push(
      `SAFETY CHECKS FAILED in ${unsafe.map((v) => v.info.label).join(", ")}: see "Checks" below.`,
    );
  }
  if (stalled.length > 0) {
    out.push(
      `LIVENESS CHECKS FAILED in ${stalled.map((v) => v.info.label).join(", ")}: commits stalled ` +
        `longer than the bound while the cluster could commit (not a safety violation); see "Checks" below.`,
    );
  }
  if (broken.length > 0) {
    out.push(`Runs did not complete in ${broken.map((v) => v.info.label).join(", ")}.`);
  }
  if (failed.length > 0) {
    // said above
  } else if (undecided.length > 0) {
    out.push(
      `Some checks could not decide (out of time) in ${undecided.map((v) => v.info.label).join(", ")}.`,
    );
  } else {
    out.push(
      `Checks: all ${runs} run(s) passed every check (safety: agreement, validity, ` +
        "linearizability, ...; liveness: progress during faults, commits resume, ...).",
    );
  }
  const notChecked = stats.variants.filter(unchecked).map((v) => v.info.label);
  if (notChecked.length > 0) out.push(`Not checked (no client history): ${notChecked.join(", ")}.`);
  return out;
}

function checksTable(stats: ExperimentStats): { header: string[]; rows: Cell[][] } {
  const names: string[] = [];
  for (const v of stats.variants)
    for (const c of v.checks) if (!names.includes(c.name)) names.push(c.name);
  const rows = stats.variants.map((v): Cell[] => [
    v.info.label,
    ...names.map((n): Cell => {
      const c = v.checks.find((x) => x.name === n);
      if (!c) return "-";
      if (c.failed > 0) {
        return { text: `FAIL ${c.failed}/${c.runs}`, cls: "fail", title: c.firstViolation ?? "" };
      }
      if (c.undecided > 0) {
        return {
          text: `undecided ${c.undecided}/${c.runs}`,
          cls: "warn",
          title: c.firstViolation ?? "",
        };
      }
      return { text: `ok ${c.passed}/${c.runs}`, cls: "ok" };
    }),
  ]);
  const kindOf = (n: string) =>
    stats.variants.flatMap((v) => v.checks).find((c) => c.name === n)?.kind ?? "safety";
  return {
    header: ["variant", ...names.map((n) => (kindOf(n) === "liveness" ? `${n} (liveness)` : n))],
    rows,
  };
}

function linearizabilityNote(stats: ExperimentStats): string {
  let ops = 0;
  let ms = 0;
  let n = 0;
  for (const v of stats.variants) {
    for (const r of v.info.runs) {
      const lin = r.checksFile?.linearizability as Record<string, unknown> | undefined;
      if (!lin) continue;
      n++;
      ops += Number(lin.operations ?? 0);
      ms += Number(lin.elapsed_ms ?? 0);
    }
  }
  if (n === 0) return "";
  return `The linearizability checker read ${ops} client operations in ${n} run(s) (${(ms / 1000).toFixed(2)} s of checking, wall-clock).`;
}

function faultTable(stats: ExperimentStats): { header: string[]; rows: Cell[][] } | null {
  const marks = faultMarks(stats);
  if (marks.length === 0) return null;
  const rows: Cell[][] = [];
  for (const v of stats.variants) {
    for (const f of v.faults) {
      rows.push([
        v.info.label,
        formatNumber(f.atMs),
        f.what,
        withCi(f.unavailableMs),
        f.recoveryMs === null ? "never" : withCi(f.recoveryMs),
        f.neverRecovered > 0 ? `${f.neverRecovered} of ${v.runs.length}` : "0",
      ]);
    }
  }
  return {
    header: [
      "variant",
      "at (ms)",
      "fault",
      "no commits for (ms)",
      "back to half rate after (ms)",
      "runs never back",
    ],
    rows,
  };
}

function describeConfig(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  const j = (x: unknown) => JSON.stringify(x);
  const o = (x: unknown) =>
    typeof x === "object" && x !== null ? (x as Record<string, unknown>) : {};
  const w = o(config.workload);
  out.push(
    `mode ${String(config.mode)}, seed ${String(config.seed)}, ${String(config.repetitions)} repetition(s) per variant`,
  );
  out.push(`cluster ${j(config.cluster)}`);
  const net = o(config.network);
  out.push(
    `network: default link ${j(net.default)}${Array.isArray(net.links) && net.links.length > 0 ? `, ${net.links.length} link override(s)` : ""}${net.sites ? ", sites" : ""}`,
  );
  out.push(
    `workload: clients ${j(w.clients)}, mix ${j(w.mix)}, ${String(w.durationMs)} ms per run ` +
      `(warm-up ${String(w.warmupMs)} ms and cool-down ${String(w.cooldownMs)} ms excluded from the statistics)`,
  );
  const faults = Array.isArray(config.faults) ? config.faults : [];
  out.push(faults.length === 0 ? "faults: none" : `faults: ${faults.map((f) => j(f)).join(", ")}`);
  return out;
}

function envRows(env: Record<string, unknown>): Cell[][] {
  const rows: Cell[][] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, key ? `${key}.${k}` : k);
    } else rows.push([key, Array.isArray(v) ? v.join(" ") : String(v)]);
  };
  walk(env, "");
  return rows;
}

function figureHtml(f: Figure, i: number): string {
  return `<figure id="fig-${i + 1}">
${inlineSvg(f.svg, `f${i + 1}`)}
<figcaption><b>Figure ${i + 1}.</b> ${esc(f.caption)} <a href="plots/${esc(f.file)}">plots/${esc(f.file)}</a></figcaption>
</figure>`;
}

/** Where `paxos-lab run --calibrate` puts the simulator's run of the experiment and the comparison. */
export const CALIBRATION_DIR = "calibration";

/**
 * The calibration section: the simulator's prediction beside this run, per variant (the
 * comparison `paxos-lab run --calibrate` wrote into calibration/), or "" without one.
 */
function calibrationHtml(dir: string, mode: string): string {
  const plots = ["compare-throughput.svg", "compare-latency.svg"]
    .map((f) => join(dir, CALIBRATION_DIR, "plots", f))
    .filter((f) => existsSync(f));
  if (plots.length === 0) return "";
  return [
    "<h2>Calibration: the simulator against this run</h2>",
    `<p>The same experiment (config, seed, duration) run in the simulator and in ${esc(mode)} mode, side by side per variant: where the bars agree the simulator's model predicts this world; where they part, it does not. Ratios and the simulator's own report: <a href="${CALIBRATION_DIR}/compare.html">${CALIBRATION_DIR}/compare.html</a>.</p>`,
    ...plots.map(
      (f, i) =>
        `<figure id="cal-${i + 1}">${inlineSvg(readFileSync(f, "utf8"), `cal${i + 1}`)}</figure>`,
    ),
  ].join("\n");
}

export function renderHtml(stats: ExperimentStats, figures: readonly Figure[]): string {
  const r = stats.results;
  const env = r.env;
  const git = (env.git ?? {}) as Record<string, unknown>;
  const commit = typeof git.commit === "string" ? git.commit.slice(0, 12) : "unknown";
  const reps = maxOf(stats.variants.map((v) => v.runs.length));
  const sum = summaryRows(stats);
  const timeNote =
    stats.time === "simulated"
      ? "All times and rates are in <b>simulated</b> (virtual) time of the simulator, not wall-clock time."
      : "Times and rates are <b>wall-clock</b>, measured on this machine.";
  const ciText =
    reps > 1
      ? `Numbers are the mean over ${reps} repetitions ± the half-width of the ${Math.round(stats.confidence * 100)}% confidence interval (Student t); max is the largest of any repetition.${
          reps < 5
            ? ` With ${reps} repetitions the t factor is ${tQuantile(reps - 1, stats.confidence).toFixed(2)}, so the intervals are wide: 5 or more repetitions narrow them.`
            : ""
        }`
      : "One repetition per variant: no confidence intervals (set repetitions above 1 for them).";
  const checks = checksTable(stats);
  const faults = faultTable(stats);
  const failures = stats.variants.flatMap((v) =>
    v.checks
      .filter((c) => c.failed > 0 || c.undecided > 0)
      .map(
        (c) =>
          `<li><b>${esc(v.info.label)}</b>, ${esc(c.name)}: ${esc(c.firstViolation ?? "")}</li>`,
      ),
  );
  const body = [
    `<h1>${esc(r.name)}</h1>`,
    `<p class="meta">results <code>${esc(r.id)}</code> · ${esc(r.mode)} mode · ${stats.variants.length} variant(s) × ${reps} repetition(s) · commit <code>${esc(commit)}</code>${git.dirty === true ? " (with uncommitted changes)" : ""} · Node ${esc(String(env.node ?? "?"))}</p>`,
    r.description ? `<p class="desc">${esc(r.description)}</p>` : "",
    `<div class="glance"><b>At a glance</b><ul>${glance(stats)
      .map((g) => `<li>${esc(g)}</li>`)
      .join("")}</ul></div>`,
    "<h2>Summary</h2>",
    htmlTable(sum.header, sum.rows, {
      numeric: NUMERIC,
      cls: "summary",
      caption: `Latency percentiles from the raw samples of the operations that returned inside the measurement window; throughput is completed operations per second in that window. ${ciText} Ratios are against ${base0(stats)}.`,
    }),
    `<p class="meta">${timeNote} Also as Markdown: <a href="summary.md">summary.md</a>; per run: <a href="results.csv">results.csv</a>.</p>`,
    systemNotes(stats).length > 0
      ? `<p><b>What each system's latency measures</b></p><ul>${systemNotes(stats)
          .map((n) => `<li>${esc(n)}</li>`)
          .join("")}</ul>`
      : "",
    "<h2>Figures</h2>",
    ...figures.map(figureHtml),
    calibrationHtml(r.dir, r.mode),
    "<h2>Checks</h2>",
    htmlTable(checks.header, checks.rows, {
      caption:
        "Runs in which each check passed. Safety checks fail when something wrong was done; " +
        "liveness checks (marked) when commits stalled while the cluster could commit. A failed " +
        "check names the run and seed to replay.",
    }),
    failures.length > 0 ? `<ul>${failures.join("")}</ul>` : "",
    `<p class="meta">${esc(linearizabilityNote(stats))}</p>`,
    faults ? `<h2>Faults</h2>${htmlTable(faults.header, faults.rows, { numeric: [1, 3, 4] })}` : "",
    "<h2>Configuration</h2>",
    `<ul>${describeConfig(r.config)
      .map((l) => `<li>${esc(l)}</li>`)
      .join("")}</ul>`,
    `<details><summary>The resolved config (config.json)</summary><pre>${esc(JSON.stringify(r.config, null, 2))}</pre></details>`,
    "<h2>Environment</h2>",
    htmlTable(["field", "value"], envRows(env), { cls: "env" }),
    `<p class="meta">Written by <code>paxos-lab report</code> (@paxos/analysis) from <code>${esc(r.dir)}</code>.</p>`,
  ];
  return page(`${r.name}: report`, body.filter((x) => x !== "").join("\n"));
}

export function renderMarkdown(stats: ExperimentStats, figures: readonly Figure[]): string {
  const r = stats.results;
  const sum = summaryRows(stats);
  const reps = maxOf(stats.variants.map((v) => v.runs.length));
  const lines = [
    `# ${r.name}`,
    "",
    r.description,
    "",
    ...glance(stats).map((g) => `- ${g}`),
    "",
    markdownTable(sum.header, sum.rows, NUMERIC),
    "",
    ...systemNotes(stats).map((n) => `- ${n}`),
    "",
    `${r.mode} mode; ${
      stats.time === "simulated"
        ? "all times and rates in simulated (virtual) time"
        : "wall-clock times measured on this machine"
    }. Latency percentiles from raw samples inside the measurement window (warm-up and cool-down excluded).${
      reps > 1
        ? ` Mean of ${reps} repetitions ± the half-width of the ${Math.round(stats.confidence * 100)}% confidence interval.`
        : ""
    } Ratios against ${base0(stats)}. Results: \`${r.id}\`.`,
    "",
  ];
  const faults = faultTable(stats);
  if (faults) lines.push("## Faults", "", markdownTable(faults.header, faults.rows, [1, 3, 4]), "");
  lines.push("## Figures", "");
  for (const f of figures) lines.push(`![${f.title}](plots/${f.file})`, "");
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

/** Reads the results folder `dir` and writes report.html, summary.md and plots/ into it. */
export async function writeReport(dir: string, opts: ReportOptions = {}): Promise<WrittenReport> {
  const results = loadResults(dir);
  const stats = experimentStats(results, opts.confidence ?? 0.95);
  const figures = await experimentFigures(stats);
  const plotsDir = join(results.dir, PLOTS_DIR);
  mkdirSync(plotsDir, { recursive: true });
  const plots: string[] = [];
  for (const f of figures) {
    const path = join(plotsDir, f.file);
    writeFileSync(path, f.svg);
    plots.push(path);
  }
  const html = join(results.dir, REPORT_HTML);
  writeFileSync(html, renderHtml(stats, figures));
  const markdown = join(results.dir, SUMMARY_MD);
  writeFileSync(markdown, renderMarkdown(stats, figures));
  return { dir: results.dir, html, markdown, plots, stats };
}
