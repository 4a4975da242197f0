// The figures of a report, as vega-lite specs compiled and rendered to SVG headless with vega
// (no browser, no canvas: text widths are estimated). Every figure: readable fonts, axis titles
// with units (and the time base: simulated or wall-clock), a legend, and series told apart by
// colour AND dash AND point shape, so a greyscale print still separates them.

import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { type ExperimentStats, sweepPoints, type VariantStats } from "./aggregate.js";
import { maxOf, minOf } from "./extent.js";
import { type Estimate, ecdf } from "./stats.js";

type Spec = Record<string, unknown>;

export const FONT = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

/** Okabe-Ito, black first: colour-blind safe; dashes and shapes carry the series in greyscale. */
export const PALETTE = [
  "#000000",
  "#e69f00",
  "#0072b2",
  "#009e73",
  "#cc79a7",
  "#56b4e9",
  "#d55e00",
  "#7f7f7f",
];
export const DASHES = [
  [1, 0],
  [7, 3],
  [2, 2],
  [9, 3, 2, 3],
  [14, 4],
  [1, 4],
  [6, 2, 2, 2, 2, 2],
  [4, 4],
];
export const SHAPES = [
  "circle",
  "square",
  "triangle-up",
  "diamond",
  "cross",
  "triangle-down",
  "triangle-right",
  "triangle-left",
];

/** More series than this go into small multiples (one panel per variant or cluster size). */
export const MAX_SERIES = 8;

const THEME = {
  font: FONT,
  background: "white",
  padding: 8,
  axis: {
    labelFontSize: 12,
    titleFontSize: 13,
    titleFontWeight: "normal",
    labelColor: "#222222",
    titleColor: "#111111",
    domainColor: "#555555",
    tickColor: "#555555",
    gridColor: "#e8e8e8",
    titlePadding: 8,
  },
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: "bold",
    labelLimit: 320,
    symbolStrokeWidth: 2,
    symbolSize: 220,
    rowPadding: 4,
    orient: "right",
  },
  header: { labelFontSize: 13, titleFontSize: 13, labelFontWeight: "bold", title: null },
  title: { fontSize: 15, fontWeight: "bold", anchor: "start", subtitleFontSize: 12, offset: 10 },
  view: { stroke: "#bbbbbb" },
  line: { strokeWidth: 2 },
  point: { size: 60, strokeWidth: 1.5 },
};

/** Compiles a vega-lite spec and renders it to an SVG string (headless). */
export async function renderSvg(spec: Spec): Promise<string> {
  const full = { ...spec, config: { ...THEME, ...((spec.config as Spec) ?? {}) } };
  const vg = compile(full as unknown as TopLevelSpec).spec;
  const view = new View(parse(vg), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const unitNote = (stats: ExperimentStats) => (stats.time === "simulated" ? ", simulated time" : "");

/** Colour, dash and shape all keyed to one field, in a fixed order, with one merged legend. */
function seriesEncoding(field: string, title: string, domain: readonly string[], shape: boolean) {
  const pick = <T>(xs: readonly T[]) => domain.map((_, i) => xs[i % xs.length]!);
  const legend = { title, symbolType: shape ? undefined : "stroke" };
  const enc: Spec = {
    color: { field, type: "nominal", title, scale: { domain, range: pick(PALETTE) }, legend },
    strokeDash: { field, type: "nominal", title, scale: { domain, range: pick(DASHES) }, legend },
  };
  if (shape) {
    enc.shape = { field, type: "nominal", title, scale: { domain, range: pick(SHAPES) }, legend };
  }
  return enc;
}

/** How the variants are laid out: one panel with a line each, or small multiples. */
interface Layout {
  /** the legend's field value of a variant */
  series: (v: VariantStats) => string;
  seriesTitle: string;
  seriesDomain: string[];
  /** the panel of a variant, or null when everything is in one panel */
  panel: ((v: VariantStats) => string) | null;
  panelDomain: string[];
}

function layoutOf(stats: ExperimentStats): Layout {
  const vs = stats.variants;
  if (vs.length <= MAX_SERIES) {
    return {
      series: (v) => v.info.label,
      seriesTitle: "variant",
      seriesDomain: vs.map((v) => v.info.label),
      panel: null,
      panelDomain: [],
    };
  }
  const sweep = sweepPoints(stats);
  if (sweep && sweep.length === vs.length) {
    const q2s = [...new Set(vs.map((v) => v.info.phase2!))].sort((a, b) => a - b);
    const ns = [...new Set(vs.map((v) => v.info.acceptors!))].sort((a, b) => a - b);
    if (q2s.length <= MAX_SERIES) {
      return {
        series: (v) => `|Q2| = ${v.info.phase2}`,
        seriesTitle: "phase-2 quorum",
        seriesDomain: q2s.map((q) => `|Q2| = ${q}`),
        panel: (v) => `n = ${v.info.acceptors} acceptors`,
        panelDomain: ns.map((n) => `n = ${n} acceptors`),
      };
    }
  }
  return {
    series: () => "all",
    seriesTitle: "variant",
    seriesDomain: ["all"],
    panel: (v) => v.info.label,
    panelDomain: vs.map((v) => v.info.label),
  };
}

/** Wraps a (layered) unit spec into small multiples when the layout has panels. */
function withPanels(layout: Layout, data: Spec[], unit: Spec, size: { w: number; h: number }) {
  if (layout.panel === null) {
    return { data: { values: data }, width: size.w, height: size.h, ...unit };
  }
  const columns = Math.min(4, layout.panelDomain.length);
  return {
    data: { values: data },
    facet: { field: "panel", type: "nominal", sort: layout.panelDomain, title: null },
    columns,
    spec: { width: Math.round(size.w / 2), height: Math.round(size.h / 1.6), ...unit },
  };
}

/** Latency CDF per variant (all repetitions pooled), log x. */
export function latencyCdfSpec(stats: ExperimentStats): Spec {
  const layout = layoutOf(stats);
  const rows: Spec[] = [];
  for (const v of stats.variants) {
    for (const p of ecdf(
      v.pooledSamples.filter((x) => x > 0),
      400,
    )) {
      rows.push({
        series: layout.series(v),
        panel: layout.panel?.(v) ?? "",
        latency: p.value,
        fraction: p.fraction,
      });
    }
  }
  const unit: Spec = {
    mark: { type: "line", interpolate: "step-after", clip: true },
    encoding: {
      x: {
        field: "latency",
        type: "quantitative",
        scale: {
          type: "log",
          nice: false,
          domain: logDomain(rows.map((r) => r.latency as number)),
        },
        axis: { title: `latency (ms, log scale${unitNote(stats)})`, format: "~g", grid: true },
      },
      y: {
        field: "fraction",
        type: "quantitative",
        scale: { domain: [0, 1] },
        axis: { title: "fraction of operations completed within", format: "~%", tickCount: 5 },
      },
      ...seriesEncoding("series", layout.seriesTitle, layout.seriesDomain, false),
      detail: { field: "series" },
    },
  };
  return {
    title: {
      text: "Latency CDF",
      subtitle: "in-window operations of every repetition; read the tail on the right",
    },
    ...withPanels(layout, rows, unit, { w: 560, h: 320 }),
  };
}

const TIMELINE_H = 300;

/** A log axis's domain: the data's range with a little room, never <= 0. */
export function logDomain(values: readonly number[]): [number, number] {
  const xs = values.filter((x) => Number.isFinite(x) && x > 0);
  if (xs.length === 0) return [0.1, 10];
  const lo = minOf(xs);
  const hi = maxOf(xs);
  // at least a factor 4 wide, so the axis carries a few labelled ticks
  const pad = Math.max(1.15, Math.sqrt(4 / (hi / lo)));
  return [lo / pad, hi * pad];
}

/** More faults than this are drawn without their labels. */
export const MAX_FAULT_LABELS = 12;

/** Throughput over the whole run (mean over repetitions), faults marked, warm-up shaded. */
export function throughputTimelineSpec(stats: ExperimentStats): Spec {
  const layout = layoutOf(stats);
  const { warmupMs, cooldownMs, durationMs } = stats.results.window;
  const rows: Spec[] = [];
  const panels = layout.panel ? layout.panelDomain : [""];
  for (const v of stats.variants) {
    const sums = new Map<number, { sum: number; n: number }>();
    for (const r of v.info.runs) {
      for (const p of r.timeline) {
        const e = sums.get(p.tMs) ?? { sum: 0, n: 0 };
        e.sum += p.opsPerS;
        e.n++;
        sums.set(p.tMs, e);
      }
    }
    const step = inferStep([...sums.keys()]);
    for (const [t, e] of [...sums].sort((a, b) => a[0] - b[0])) {
      // plotted at the middle of its bucket
      rows.push({
        layer: "line",
        series: layout.series(v),
        panel: layout.panel?.(v) ?? "",
        t: (t + step / 2) / 1000,
        rate: e.sum / e.n,
      });
    }
  }
  const faults = faultMarks(stats);
  // a label per fault reads while there are few; a chaos run has hundreds, whose labels only
  // made a black band: then the dashed lines stay and the subtitle says where the list is
  const labelled = faults.length <= MAX_FAULT_LABELS;
  for (const panel of panels) {
    if (warmupMs > 0) {
      rows.push({ layer: "band", panel, x0: 0, x1: warmupMs / 1000, what: "warm-up" });
    }
    if (cooldownMs > 0) {
      rows.push({
        layer: "band",
        panel,
        x0: (durationMs - cooldownMs) / 1000,
        x1: durationMs / 1000,
        what: "cool-down",
      });
    }
    faults.forEach((f, i) => {
      rows.push({
        layer: "fault",
        panel,
        t: f.atMs / 1000,
        what: labelled ? f.what : "",
        row: i % 2,
      });
    });
  }
  const only = (layer: string) => [{ filter: { field: "layer", equal: layer } }];
  const x = {
    field: "t",
    type: "quantitative",
    scale: { domain: [0, durationMs / 1000], nice: false },
    axis: { title: `time since start (s${unitNote(stats)})`, grid: false },
  };
  const unit: Spec = {
    layer: [
      {
        transform: only("band"),
        mark: { type: "rect", color: "#000000", opacity: 0.08 },
        encoding: { x: { ...x, field: "x0" }, x2: { field: "x1" } },
      },
      {
        transform: [...only("band"), { calculate: "(datum.x0 + datum.x1) / 2", as: "xm" }],
        mark: { type: "text", color: "#555555", fontSize: 11, baseline: "bottom" },
        encoding: {
          x: { field: "xm", type: "quantitative" },
          y: { value: (layout.panel ? Math.round(TIMELINE_H / 1.6) : TIMELINE_H) - 4 },
          text: { field: "what" },
        },
      },
      {
        transform: only("line"),
        mark: { type: "line", interpolate: "linear", clip: true },
        encoding: {
          x,
          y: {
            field: "rate",
            type: "quantitative",
            axis: { title: `throughput (ops/s${unitNote(stats)})` },
          },
          ...seriesEncoding("series", layout.seriesTitle, layout.seriesDomain, false),
          detail: { field: "series" },
        },
      },
      {
        transform: only("fault"),
        mark: { type: "rule", color: "#000000", strokeWidth: 1.5, strokeDash: [3, 3] },
        encoding: { x: { field: "t", type: "quantitative" } },
      },
      {
        transform: [...only("fault"), { calculate: "-5 - 14 * datum.row", as: "labelY" }],
        mark: {
          type: "text",
          color: "#000000",
          fontSize: 11,
          align: "left",
          baseline: "bottom",
          dx: 3,
        },
        encoding: {
          x: { field: "t", type: "quantitative" },
          y: { field: "labelY", type: "quantitative", scale: null },
          text: { field: "what" },
        },
      },
    ],
  };
  return {
    title: {
      offset: !labelled ? 10 : faults.length > 1 ? 36 : faults.length > 0 ? 22 : 10,
      text: "Throughput over time",
      subtitle:
        (stats.variants.some((v) => v.runs.length > 1) ? "mean of the repetitions; " : "") +
        (labelled
          ? faults.length > 0
            ? "dashed lines: faults; "
            : ""
          : `dashed lines: ${faults.length} faults (listed in events.json); `) +
        "shaded: warm-up and cool-down (not in the statistics)",
    },
    ...withPanels(layout, rows, unit, { w: 640, h: TIMELINE_H }),
  };
}

function inferStep(ts: number[]): number {
  const sorted = [...ts].sort((a, b) => a - b);
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i++) step = Math.min(step, sorted[i]! - sorted[i - 1]!);
  return Number.isFinite(step) ? step : 0;
}

/** The faults as applied (one mark per distinct time), labelled as the first run saw them. */
export function faultMarks(stats: ExperimentStats): { atMs: number; what: string }[] {
  const byTime = new Map<number, Set<string>>();
  for (const v of stats.variants) {
    for (const r of v.info.runs) {
      for (const f of r.faults) {
        const s = byTime.get(f.atMs) ?? new Set<string>();
        s.add(f.what);
        byTime.set(f.atMs, s);
      }
    }
  }
  return [...byTime]
    .sort((a, b) => a[0] - b[0])
    .map(([atMs, whats]) => {
      const list = [...whats];
      const what =
        list.length === 1 ? list[0]! : `${list[0]!.split(" ")[0]} (${list.length} variants differ)`;
      return { atMs, what };
    });
}

/**
 * The interval's ends as drawn, clamped to what the quantity can be: a rate is never negative,
 * a percentile never leaves [min, max] of the samples (and a log axis cannot show <= 0).
 */
const ciLow = (e: Estimate | null, floor = 0) =>
  e === null ? null : Math.max(floor, e.ci?.low ?? e.mean);
const ciHigh = (e: Estimate | null, ceiling = Number.POSITIVE_INFINITY) =>
  e === null ? null : Math.min(ceiling, e.ci?.high ?? e.mean);

function ciNote(stats: ExperimentStats): string {
  const reps = maxOf(stats.variants.map((v) => v.runs.length));
  return reps > 1
    ? `mean of ${reps} repetitions; bars: ${Math.round(stats.confidence * 100)}% confidence interval (Student t)`
    : "one repetition: no confidence interval (set repetitions > 1)";
}

/** Throughput per variant: bars from zero, with the confidence interval of the mean. */
export function throughputByVariantSpec(stats: ExperimentStats): Spec {
  const order = stats.variants.map((v) => v.info.label);
  const rows = stats.variants
    .filter((v) => v.throughput !== null)
    .map((v) => ({
      variant: v.info.label,
      mean: v.throughput!.mean,
      low: ciLow(v.throughput),
      high: ciHigh(v.throughput),
      text: formatNumber(v.throughput!.mean),
    }));
  const y = {
    field: "variant",
    type: "nominal",
    sort: order,
    axis: { title: null, labelLimit: 260 },
  };
  return {
    title: { text: "Throughput per variant", subtitle: ciNote(stats) },
    data: { values: rows },
    width: 520,
    height: { step: 26 },
    layer: [
      {
        mark: { type: "bar", color: "#bdbdbd", stroke: "#333333", strokeWidth: 1 },
        encoding: {
          y,
          x: {
            field: "mean",
            type: "quantitative",
            axis: { title: `throughput (ops/s${unitNote(stats)})` },
          },
        },
      },
      {
        mark: { type: "rule", color: "#000000", strokeWidth: 1.5 },
        encoding: { y, x: { field: "low", type: "quantitative" }, x2: { field: "high" } },
      },
      {
        mark: { type: "tick", color: "#000000", thickness: 1.5, size: 10, orient: "vertical" },
        encoding: { y, x: { field: "low", type: "quantitative" } },
      },
      {
        mark: { type: "tick", color: "#000000", thickness: 1.5, size: 10, orient: "vertical" },
        encoding: { y, x: { field: "high", type: "quantitative" } },
      },
      {
        mark: { type: "text", align: "left", dx: 5, fontSize: 11, color: "#111111" },
        encoding: { y, x: { field: "high", type: "quantitative" }, text: { field: "text" } },
      },
    ],
  };
}

/**
 * p50 and p99 latency per variant (log x), each with its confidence interval; the mean for a
 * system that reports no percentiles (LibPaxos: per-second means only).
 */
export function latencyByVariantSpec(stats: ExperimentStats): Spec {
  const order = stats.variants.map((v) => v.info.label);
  const rows: Spec[] = [];
  const MEAN = "mean (no percentiles)";
  for (const v of stats.variants) {
    const onlyMean = v.p50 === null && v.meanLatency !== null;
    for (const [stat, e] of onlyMean
      ? ([[MEAN, v.meanLatency]] as const)
      : ([
          ["p50 (median)", v.p50],
          ["p99", v.p99],
        ] as const)) {
      if (e === null) continue;
      rows.push({
        variant: v.info.label,
        statistic: stat,
        mean: e.mean,
        low: ciLow(e, v.pooled?.min ?? e.mean),
        high: ciHigh(e, v.max ?? e.mean),
      });
    }
  }
  const y = {
    field: "variant",
    type: "nominal",
    sort: order,
    axis: { title: null, labelLimit: 260 },
  };
  const withMean = rows.some((r) => r.statistic === MEAN);
  const domain = ["p50 (median)", "p99", ...(withMean ? [MEAN] : [])];
  const colors = ["#000000", "#d55e00", "#0072b2"];
  const shapes = ["circle", "triangle-up", "square"];
  const x = {
    type: "quantitative",
    scale: {
      type: "log",
      nice: false,
      domain: logDomain(rows.flatMap((r) => [r.low as number, r.high as number, r.mean as number])),
    },
    axis: { title: `latency (ms, log scale${unitNote(stats)})`, format: "~g" },
  };
  return {
    title: { text: "Latency per variant", subtitle: ciNote(stats) },
    data: { values: rows },
    width: 520,
    height: { step: 26 },
    layer: [
      {
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: {
          y,
          x: { ...x, field: "low" },
          x2: { field: "high" },
          color: {
            field: "statistic",
            title: "statistic",
            scale: { domain, range: colors.slice(0, domain.length) },
          },
        },
      },
      {
        mark: { type: "point", filled: true, size: 80, opacity: 1 },
        encoding: {
          y,
          x: { ...x, field: "mean" },
          color: {
            field: "statistic",
            title: "statistic",
            scale: { domain, range: colors.slice(0, domain.length) },
          },
          shape: {
            field: "statistic",
            title: "statistic",
            scale: { domain, range: shapes.slice(0, domain.length) },
          },
        },
      },
    ],
  };
}

/** The Flexible Paxos figure: throughput and latency against |Q2|, one line per cluster size. */
export function sweepSpecs(stats: ExperimentStats): { throughput: Spec; latency: Spec } | null {
  const points = sweepPoints(stats);
  if (!points) return null;
  const ns = [...new Set(points.map((v) => v.info.acceptors!))].sort((a, b) => a - b);
  const domain = ns.map((n) => `n = ${n}`);
  const series = seriesEncoding("cluster", "acceptors", domain, true);
  const q2s = points.map((v) => v.info.phase2!);
  const x = {
    field: "q2",
    type: "quantitative",
    scale: { domain: [minOf(q2s) - 0.2, maxOf(q2s) + 0.2], nice: false },
    axis: { title: "phase-2 quorum size |Q2| (acceptors)", tickMinStep: 1, format: "d" },
  };
  const layered = (yTitle: string, logY: boolean) => [
    {
      mark: { type: "line" },
      encoding: {
        x,
        y: {
          field: "mean",
          type: "quantitative",
          scale: logY ? { type: "log", nice: true } : { zero: false, nice: true },
          axis: logY ? { title: yTitle, format: "~g" } : { title: yTitle },
        },
        color: series.color,
        strokeDash: series.strokeDash,
        detail: { field: "cluster" },
      },
    },
    {
      mark: { type: "rule", strokeWidth: 1.2 },
      encoding: {
        x,
        y: { field: "low", type: "quantitative" },
        y2: { field: "high" },
        color: series.color,
      },
    },
    {
      mark: { type: "point", filled: true, size: 70, opacity: 1 },
      encoding: {
        x,
        y: { field: "mean", type: "quantitative" },
        color: series.color,
        shape: series.shape,
      },
    },
  ];
  const tRows = points.map((v) => ({
    cluster: `n = ${v.info.acceptors}`,
    q2: v.info.phase2,
    mean: v.throughput!.mean,
    low: ciLow(v.throughput),
    high: ciHigh(v.throughput),
  }));
  const lRows: Spec[] = [];
  for (const v of points) {
    for (const [stat, e] of [
      ["median latency (p50)", v.p50],
      ["tail latency (p99)", v.p99],
    ] as const) {
      if (e === null) continue;
      lRows.push({
        cluster: `n = ${v.info.acceptors}`,
        q2: v.info.phase2,
        statistic: stat,
        mean: e.mean,
        low: ciLow(e, v.pooled?.min ?? e.mean),
        high: ciHigh(e, v.max ?? e.mean),
      });
    }
  }
  const sub = `|Q1| = n - |Q2| + 1; ${ciNote(stats)}`;
  return {
    throughput: {
      title: { text: "Throughput against phase-2 quorum size", subtitle: sub },
      data: { values: tRows },
      width: 520,
      height: 300,
      layer: layered(`throughput (ops/s${unitNote(stats)})`, false),
    },
    latency: {
      title: { text: "Latency against phase-2 quorum size", subtitle: sub },
      data: { values: lRows },
      facet: {
        column: {
          field: "statistic",
          type: "nominal",
          sort: ["median latency (p50)", "tail latency (p99)"],
          title: null,
        },
      },
      resolve: { scale: { y: "independent" } },
      spec: {
        width: 300,
        height: 280,
        layer: layered(`latency (ms${unitNote(stats)})`, false),
      },
    },
  };
}

/** 3 significant figures, no exponent: 1234 -> "1234", 12.345 -> "12.3", 0.01234 -> "0.0123". */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return "0";
  return x.toPrecision(3);
}

export interface Figure {
  /** file name under plots/ */
  file: string;
  title: string;
  caption: string;
  svg: string;
}

/** Every figure of one experiment, rendered. */
export async function experimentFigures(stats: ExperimentStats): Promise<Figure[]> {
  const time = stats.time === "simulated" ? " All times are simulated (virtual) time." : "";
  const specs: { file: string; title: string; caption: string; spec: Spec }[] = [
    {
      file: "throughput-by-variant.svg",
      title: "Throughput per variant",
      caption: `Completed operations per second inside the measurement window (warm-up and cool-down excluded).${time}`,
      spec: throughputByVariantSpec(stats),
    },
    {
      file: "latency-by-variant.svg",
      title: "Latency per variant",
      caption: `Median (p50) and 99th percentile latency of the operations that returned inside the measurement window; the mean for a system that reports no percentiles.${time}`,
      spec: latencyByVariantSpec(stats),
    },
    {
      file: "latency-cdf.svg",
      title: "Latency CDF",
      caption: `Fraction of operations that completed within a given latency, log x.${time}`,
      spec: latencyCdfSpec(stats),
    },
    {
      file: "throughput-over-time.svg",
      title: "Throughput over time",
      caption: `Completed operations per second over the whole run${
        faultMarks(stats).length > 0 ? ", with the faults as applied (dashed lines)" : ""
      }; the shaded warm-up and cool-down are left out of the statistics.${time}`,
      spec: throughputTimelineSpec(stats),
    },
  ];
  const sweep = sweepSpecs(stats);
  if (sweep) {
    specs.push(
      {
        file: "sweep-throughput.svg",
        title: "Throughput against |Q2|",
        caption: `The Flexible Paxos figure: one line per cluster size n, phase-2 quorum size on x.${time}`,
        spec: sweep.throughput,
      },
      {
        file: "sweep-latency.svg",
        title: "Latency against |Q2|",
        caption: `Median and 99th percentile latency, one line per cluster size n.${time}`,
        spec: sweep.latency,
      },
    );
  }
  const out: Figure[] = [];
  for (const s of specs) {
    out.push({ file: s.file, title: s.title, caption: s.caption, svg: await renderSvg(s.spec) });
  }
  return out;
}
