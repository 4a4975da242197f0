// `paxos-lab compare <dir> <dir>...`: the same variants across several results folders (before
// and after a change, sim against local mode, two seeds), matched by variant label, with the
// ratio of each run's throughput and latency to the first folder that has the variant.
//
//   compare.html  self-contained: the runs compared, the table with ratios, two figures
//   compare.md    the table as Markdown
//   plots/compare-throughput.svg, plots/compare-latency.svg

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ExperimentStats, experimentStats, type VariantStats } from "./aggregate.js";
import { withCi } from "./experiment-report.js";
import { type Cell, esc, htmlTable, inlineSvg, markdownTable, page } from "./html.js";
import { DASHES, type Figure, PALETTE, renderSvg, SHAPES } from "./plots.js";
import { loadResults } from "./results.js";

export interface ComparedRun {
  /** how the run is named in tables and legends (its folder name, made unique) */
  label: string;
  stats: ExperimentStats;
}

export interface Comparison {
  runs: ComparedRun[];
  /** variant labels in order of first appearance */
  variants: string[];
  header: string[];
  rows: Cell[][];
  /** how the folders differ besides what is compared (seed, duration, mode, ...): read the ratios with these in mind */
  warnings: string[];
}

export interface WrittenComparison {
  dir: string;
  html: string;
  markdown: string;
  plots: string[];
  comparison: Comparison;
}

const ratio = (x: number | undefined, base: number | undefined) =>
  x === undefined || base === undefined || base === 0 ? "-" : `×${(x / base).toFixed(2)}`;

/** Loads every folder and lines their variants up. */
export function compareResults(dirs: readonly string[], confidence = 0.95): Comparison {
  if (dirs.length < 2) throw new Error("compare needs at least two results folders");
  const runs: ComparedRun[] = [];
  const used = new Set<string>();
  for (const d of dirs) {
    const stats = experimentStats(loadResults(d), confidence);
    let label = stats.results.id;
    for (let i = 2; used.has(label); i++) label = `${stats.results.id} (${i})`;
    used.add(label);
    runs.push({ label, stats });
  }
  const variants: string[] = [];
  for (const r of runs) {
    for (const v of r.stats.variants)
      if (!variants.includes(v.info.label)) variants.push(v.info.label);
  }
  const header = [
    "variant",
    "results",
    "mode",
    "runs",
    "throughput (ops/s)",
    "p50 (ms)",
    "p99 (ms)",
    "ops/s ratio",
    "p50 ratio",
    "p99 ratio",
    "checks",
  ];
  const rows: Cell[][] = [];
  for (const label of variants) {
    let base: VariantStats | undefined;
    for (const r of runs) {
      const v = r.stats.variants.find((x) => x.info.label === label);
      if (!v) continue;
      base ??= v;
      rows.push([
        label,
        r.label,
        `${r.stats.results.mode}${r.stats.time === "simulated" ? " (sim time)" : ""}`,
        String(v.runs.length),
        withCi(v.throughput),
        withCi(v.p50),
        withCi(v.p99),
        ratio(v.throughput?.mean, base.throughput?.mean),
        ratio(v.p50?.mean, base.p50?.mean),
        ratio(v.p99?.mean, base.p99?.mean),
        v.verdict === "ok"
          ? { text: "ok", cls: "ok" }
          : {
              text: v.verdict === "failed" ? "FAIL" : "undecided",
              cls: v.verdict === "failed" ? "fail" : "warn",
            },
      ]);
    }
  }
  return { runs, variants, header, rows, warnings: differences(runs) };
}

/** What differs between the first folder's setup and the others' (seed, duration, mode, ...). */
export function differences(runs: readonly ComparedRun[]): string[] {
  const setup = (r: ComparedRun): [string, unknown][] => {
    const res = r.stats.results;
    const workload = (res.config.workload ?? {}) as Record<string, unknown>;
    return [
      ["seed", res.config.seed],
      ["duration (ms)", res.window.durationMs],
      ["warm-up (ms)", res.window.warmupMs],
      ["cool-down (ms)", res.window.cooldownMs],
      ["mode", res.mode],
      ["repetitions", res.config.repetitions],
      ["clients", JSON.stringify(workload.clients)],
    ];
  };
  const base = runs[0];
  if (base === undefined) return [];
  const first = setup(base);
  const out: string[] = [];
  for (const r of runs.slice(1)) {
    setup(r).forEach(([what, v], i) => {
      const b = first[i]![1];
      if (JSON.stringify(v) !== JSON.stringify(b)) {
        out.push(`${r.label} differs from ${base.label} in ${what}: ${String(v)} vs ${String(b)}`);
      }
    });
  }
  return out;
}

const NUMERIC = [3, 4, 5, 6, 7, 8, 9];

function runEncoding(domain: string[]) {
  const pick = <T>(xs: readonly T[]) => domain.map((_, i) => xs[i % xs.length]!);
  return {
    color: {
      field: "run",
      type: "nominal",
      title: "results",
      scale: { domain, range: pick(PALETTE) },
    },
    shape: {
      field: "run",
      type: "nominal",
      title: "results",
      scale: { domain, range: pick(SHAPES) },
    },
    strokeDash: {
      field: "run",
      type: "nominal",
      title: "results",
      scale: { domain, range: pick(DASHES) },
    },
  };
}

/** The two comparison figures: throughput and p50/p99 per variant, one mark per folder. */
export async function comparisonFigures(c: Comparison): Promise<Figure[]> {
  const domain = c.runs.map((r) => r.label);
  const enc = runEncoding(domain);
  const t: Record<string, unknown>[] = [];
  const l: Record<string, unknown>[] = [];
  for (const r of c.runs) {
    for (const v of r.stats.variants) {
      if (v.throughput) {
        t.push({
          variant: v.info.label,
          run: r.label,
          mean: v.throughput.mean,
          low: Math.max(0, v.throughput.ci?.low ?? v.throughput.mean),
          high: v.throughput.ci?.high ?? v.throughput.mean,
        });
      }
      for (const [stat, e] of [
        ["p50 (median)", v.p50],
        ["p99", v.p99],
      ] as const) {
        if (!e) continue;
        l.push({
          variant: v.info.label,
          run: r.label,
          statistic: stat,
          mean: e.mean,
          low: Math.max(v.pooled?.min ?? e.mean, e.ci?.low ?? e.mean),
          high: Math.min(v.max ?? e.mean, e.ci?.high ?? e.mean),
        });
      }
    }
  }
  const y = {
    field: "variant",
    type: "nominal",
    sort: c.variants,
    axis: { title: null, labelLimit: 260 },
  };
  const yOffset = { field: "run", type: "nominal", sort: domain };
  const times = new Set(c.runs.map((r) => r.stats.time));
  const unit = times.size === 1 && times.has("simulated") ? ", simulated time" : "";
  const mixed = times.size > 1 ? " Careful: the folders mix simulated and wall-clock time." : "";
  const dot = (xTitle: string, log: boolean) => {
    const x = {
      type: "quantitative",
      scale: log ? { type: "log", nice: true } : { zero: true },
      axis: { title: xTitle, ...(log ? { format: "~g" } : {}) },
    };
    return [
      {
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          y,
          yOffset,
          x: { ...x, field: "low" },
          x2: { field: "high" },
          color: enc.color,
        },
      },
      {
        mark: { type: "point", filled: true, size: 70, opacity: 1 },
        encoding: { y, yOffset, x: { ...x, field: "mean" }, color: enc.color, shape: enc.shape },
      },
    ];
  };
  const throughput = {
    title: {
      text: "Throughput per variant and results folder",
      subtitle: "bars: 95% confidence interval where repeated",
    },
    data: { values: t },
    width: 520,
    height: { step: 14 * Math.max(2, domain.length) },
    layer: dot(`throughput (ops/s${unit})`, false),
  };
  const latency = {
    title: { text: "Latency per variant and results folder", subtitle: "p50 and p99, log x" },
    data: { values: l },
    facet: { column: { field: "statistic", type: "nominal", title: null } },
    resolve: { scale: { x: "independent" } },
    spec: {
      width: 300,
      height: { step: 14 * Math.max(2, domain.length) },
      layer: dot(`latency (ms, log scale${unit})`, true),
    },
  };
  return [
    {
      file: "compare-throughput.svg",
      title: "Throughput",
      caption: `Throughput of each variant in each results folder.${mixed}`,
      svg: await renderSvg(throughput),
    },
    {
      file: "compare-latency.svg",
      title: "Latency",
      caption: `Median and 99th percentile latency of each variant in each results folder.${mixed}`,
      svg: await renderSvg(latency),
    },
  ];
}

export function comparisonMarkdown(c: Comparison, figures: readonly Figure[] = []): string {
  const lines = [
    "# Comparison",
    "",
    ...c.runs.map(
      (r, i) =>
        `${i + 1}. \`${r.label}\`: ${r.stats.results.name}, ${r.stats.results.mode} mode, ${r.stats.variants.length} variant(s)`,
    ),
    "",
    ...c.warnings.map((w) => `**Warning:** ${w}.`),
    ...(c.warnings.length > 0 ? [""] : []),
    markdownTable(c.header, c.rows, NUMERIC),
    "",
    "Ratios are against the first results folder that has the variant (the first row of each variant).",
    "",
    ...figures.flatMap((f) => [`![${f.title}](plots/${f.file})`, ""]),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

export function comparisonHtml(c: Comparison, figures: readonly Figure[]): string {
  const runsTable = htmlTable(
    ["", "results folder", "experiment", "mode", "time", "variants", "commit"],
    c.runs.map((r, i) => {
      const git = (r.stats.results.env.git ?? {}) as Record<string, unknown>;
      return [
        String(i + 1),
        r.label,
        r.stats.results.name,
        r.stats.results.mode,
        r.stats.time,
        String(r.stats.variants.length),
        typeof git.commit === "string" ? git.commit.slice(0, 12) : "-",
      ];
    }),
  );
  const body = [
    `<h1>Comparison of ${c.runs.length} results folders</h1>`,
    runsTable,
    ...c.warnings.map((w) => `<p class="warn"><b>Warning:</b> ${esc(w)}.</p>`),
    "<h2>Variants</h2>",
    htmlTable(c.header, c.rows, {
      numeric: NUMERIC,
      cls: "summary",
      caption:
        "Ratios are against the first results folder that has the variant. ± is the half-width of the 95% confidence interval over repetitions.",
    }),
    "<h2>Figures</h2>",
    ...figures.map(
      (f, i) =>
        `<figure>${inlineSvg(f.svg, `c${i + 1}`)}<figcaption><b>Figure ${i + 1}.</b> ${esc(f.caption)}</figcaption></figure>`,
    ),
    `<p class="meta">Written by <code>paxos-lab compare</code> (@paxos/analysis).</p>`,
  ];
  return page("comparison", body.join("\n"));
}

/** Compares the folders and writes compare.html, compare.md and plots/ into `outDir`. */
export async function writeComparison(
  dirs: readonly string[],
  outDir: string,
  confidence = 0.95,
): Promise<WrittenComparison> {
  const comparison = compareResults(dirs, confidence);
  const figures = await comparisonFigures(comparison);
  mkdirSync(join(outDir, "plots"), { recursive: true });
  const plots = figures.map((f) => {
    const path = join(outDir, "plots", f.file);
    writeFileSync(path, f.svg);
    return path;
  });
  const html = join(outDir, "compare.html");
  writeFileSync(html, comparisonHtml(comparison, figures));
  const markdown = join(outDir, "compare.md");
  writeFileSync(markdown, comparisonMarkdown(comparison, figures));
  return { dir: outDir, html, markdown, plots, comparison };
}
