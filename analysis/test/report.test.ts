// A report rendered from a small recorded results folder (test/fixtures/tiny-sweep: a phase-2
// sweep over 3 and 4 acceptors, 2 repetitions, the leader crashed and restarted; written by
// `paxos-lab run test/fixtures/tiny-sweep.config.json`, histories trimmed): the statistics agree
// with the runner's summary.json, every SVG is well-formed XML with the expected series, and
// report.html and summary.md carry the summary numbers.
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { experimentStats, sweepPoints } from "../src/aggregate.js";
import { writeComparison } from "../src/compare.js";
import { glance, withCi, writeReport } from "../src/experiment-report.js";
import { formatNumber } from "../src/plots.js";
import { loadResults, ResultsError } from "../src/results.js";
import { allElements, parseXml, texts, type XmlElement } from "./xml.js";

const FIXTURE = new URL("../../test/fixtures/tiny-sweep", import.meta.url).pathname;
const LABELS = [
  "n=3 q1=3 q2=1",
  "n=3 q1=2 q2=2",
  "n=4 q1=4 q2=1",
  "n=4 q1=3 q2=2",
  "n=4 q1=2 q2=3",
];

function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), "analysis-report-"));
  const target = join(dir, "20261126T155901Z_tiny-sweep");
  cpSync(FIXTURE, target, { recursive: true });
  return target;
}

const ariaLabels = (root: XmlElement, role: string) =>
  allElements(root)
    .filter((e) => e.attrs["aria-roledescription"] === role)
    .map((e) => e.attrs["aria-label"] ?? "");

test("the fixture loads: 5 variants, 2 repetitions each, sweep sizes from config.json", () => {
  const r = loadResults(FIXTURE);
  assert.is(r.name, "tiny-sweep");
  assert.is(r.time, "simulated");
  assert.equal(
    r.variants.map((v) => v.label),
    LABELS,
  );
  assert.equal(
    r.variants.map((v) => [v.acceptors, v.phase1, v.phase2, v.runs.length]),
    [
      [3, 3, 1, 2],
      [3, 2, 2, 2],
      [4, 4, 1, 2],
      [4, 3, 2, 2],
      [4, 2, 3, 2],
    ],
  );
  const run = r.variants[0]!.runs[0]!;
  assert.is(run.source, "latency.csv");
  assert.is(run.samples.length, run.summary.latency.count);
  assert.equal(
    run.faults.map((f) => f.atMs),
    [600, 1000],
  );
  assert.throws(
    () => loadResults(join(FIXTURE, "01-n-3-q1-3-q2-1")),
    (e: unknown) => e instanceof ResultsError,
  );
});

test("statistics from the raw samples agree with the runner's summary.json of every run", () => {
  const stats = experimentStats(loadResults(FIXTURE));
  for (const v of stats.variants) {
    for (const r of v.runs) {
      const s = r.run.summary;
      const near = (a: number | undefined, b: unknown, what: string) =>
        assert.ok(
          Math.abs((a ?? Number.NaN) - Number(b)) < 2e-3,
          `${v.info.label} rep ${r.run.repetition} ${what}: ${a} vs ${b}`,
        );
      near(r.throughput, s.throughput.ops_per_s, "ops/s");
      near(r.latency?.p50, s.latency.p50_ms, "p50");
      near(r.latency?.p90, s.latency.p90_ms, "p90");
      near(r.latency?.p99, s.latency.p99_ms, "p99");
      near(r.latency?.p999, s.latency.p999_ms, "p99.9");
      near(r.latency?.max, s.latency.max_ms, "max");
      // per-second throughput stays inside the window
      assert.ok(
        r.perSecond.every((b) => b.fromMs >= s.window.from_ms && b.fromMs < s.window.to_ms),
      );
    }
    const reps = v.runs.map((r) => r.throughput);
    assert.ok(Math.abs(v.throughput!.mean - (reps[0]! + reps[1]!) / 2) < 1e-9);
    assert.ok(v.throughput!.ci !== null, "two repetitions: an interval");
    assert.is(v.verdict, "ok");
  }
  assert.is(sweepPoints(stats)?.length, 5, "a sweep: every variant is a point");
});

test("report: SVGs are well-formed and carry the expected series; html and md the numbers", async () => {
  const dir = copyFixture();
  try {
    const r = await writeReport(dir);
    const files = r.plots.map((p) => p.slice(p.lastIndexOf("/") + 1)).sort();
    assert.equal(files, [
      "latency-by-variant.svg",
      "latency-cdf.svg",
      "sweep-latency.svg",
      "sweep-throughput.svg",
      "throughput-by-variant.svg",
      "throughput-over-time.svg",
    ]);
    const svg = (name: string) => {
      const text = readFileSync(join(dir, "plots", name), "utf8");
      assert.not.match(text, /<script/i, `${name} has no script`);
      const root = parseXml(text);
      assert.is(root.name, "svg", `${name}: the root is <svg>`);
      assert.is(root.attrs.xmlns, "http://www.w3.org/2000/svg");
      return root;
    };
    // the CDF: one line per variant, each in the legend; the axis titles carry the units
    const cdf = svg("latency-cdf.svg");
    const lines = ariaLabels(cdf, "line mark");
    for (const l of LABELS) {
      assert.ok(
        lines.some((a) => a.includes(`series: ${l}`)),
        `a CDF line for ${l}`,
      );
      assert.ok(texts(cdf).includes(l), `${l} in the CDF legend`);
    }
    assert.ok(texts(cdf).includes("latency (ms, log scale, simulated time)"));
    assert.ok(
      ariaLabels(cdf, "axis").some((a) => /log scale/.test(a)),
      "the CDF's x axis is logarithmic",
    );
    // throughput over time: a line per variant and both faults marked and labelled
    const tl = svg("throughput-over-time.svg");
    assert.is(
      new Set(ariaLabels(tl, "line mark").map((a) => /series: ([^;]+)/.exec(a)?.[1])).size,
      5,
    );
    assert.ok(texts(tl).includes("crash n1 (the leader)"));
    assert.ok(texts(tl).includes("restart n1"));
    assert.is(ariaLabels(tl, "rule mark").length, 2, "a rule per fault");
    assert.ok(texts(tl).includes("warm-up") && texts(tl).includes("cool-down"));
    // the sweep: one line per cluster size, |Q2| on x
    const sw = svg("sweep-throughput.svg");
    const swLines = ariaLabels(sw, "line mark");
    assert.is(swLines.length, 2, "one line per n");
    assert.ok(swLines.some((a) => a.includes("n = 3")) && swLines.some((a) => a.includes("n = 4")));
    assert.ok(texts(sw).includes("phase-2 quorum size |Q2| (acceptors)"));
    assert.is(ariaLabels(sw, "point").length, 5, "a point per variant");
    const sl = svg("sweep-latency.svg");
    assert.ok(
      texts(sl).includes("median latency (p50)") && texts(sl).includes("tail latency (p99)"),
    );
    // per-variant charts: bars with intervals, p50 and p99 points
    const tb = svg("throughput-by-variant.svg");
    assert.is(ariaLabels(tb, "bar").length, 5);
    for (const l of LABELS) assert.ok(texts(tb).includes(l));
    const lb = svg("latency-by-variant.svg");
    assert.is(ariaLabels(lb, "point").length, 10, "p50 and p99 for 5 variants");
    assert.ok(texts(lb).includes("p99") && texts(lb).includes("p50 (median)"));

    // report.html: self-contained, every figure inline, the summary numbers in the table
    const html = readFileSync(r.html, "utf8");
    assert.not.match(html, /<script|<link |src="http|href="http|@import/i, "nothing to load");
    assert.is(html.match(/<svg /g)?.length, 6, "six inline figures");
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.is(new Set(ids).size, ids.length, "ids are unique across inlined figures");
    const stats = r.stats;
    for (const v of stats.variants) {
      const row = html.slice(html.indexOf(`<td>${v.info.label}</td>`));
      assert.ok(row.length > 0, `a row for ${v.info.label}`);
      const cells = row.slice(0, row.indexOf("</tr>"));
      for (const e of [v.throughput, v.p50, v.p99]) {
        const want = withCi(e).replace("±", "±");
        assert.ok(cells.includes(want), `${v.info.label}: ${want} in ${cells}`);
      }
      assert.ok(cells.includes(formatNumber(v.max)));
    }
    // the hand-checkable number: variant 1's throughput, the mean of its two summary.json values
    const s0 = stats.variants[0]!.runs.map((x) => x.run.summary.throughput.ops_per_s);
    assert.ok(html.includes(`${formatNumber((s0[0]! + s0[1]!) / 2)} ± `));
    assert.match(html, /Highest throughput: n=3 q1=3 q2=1/);
    assert.match(html, /all 10 run\(s\) passed every check/);
    assert.match(html, /<h2>Faults<\/h2>/);
    assert.match(html, /simulated<\/b> \(virtual\) time/);
    // summary.md: the same table
    const md = readFileSync(r.markdown, "utf8");
    assert.match(md, /^# tiny-sweep/);
    assert.match(md, /\| variant \| quorum system \| runs \| throughput \(ops\/s\) \|/);
    for (const v of stats.variants) {
      assert.ok(
        md.includes(`| ${v.info.label} | ${v.info.quorum} | 2 | ${withCi(v.throughput)} |`),
      );
    }
    assert.match(md, /!\[Latency CDF\]\(plots\/latency-cdf\.svg\)/);
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("a run without raw samples falls back to summary.json; a missing folder is a ResultsError", async () => {
  const dir = copyFixture();
  try {
    for (const v of loadResults(dir).variants) {
      for (const r of v.runs) {
        rmSync(join(r.dir, "latency.csv"));
        rmSync(join(r.dir, "history.ndjson"));
      }
    }
    const r = await writeReport(dir);
    const v0 = r.stats.variants[0]!;
    assert.is(v0.runs[0]!.latency?.p50, v0.runs[0]!.run.summary.latency.p50_ms);
    assert.ok(existsSync(r.html));
    assert.throws(
      () => loadResults(join(dir, "nope")),
      (e: unknown) => e instanceof ResultsError,
    );
    writeFileSync(join(dir, "..", "config.json"), "{");
    assert.throws(() => loadResults(join(dir, "..")), /cannot read it as JSON/);
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("compare: ratios against the first folder (×1.00 where nothing changed, ×0.50 for halved latency)", async () => {
  const a = copyFixture();
  const b = copyFixture();
  const out = mkdtempSync(join(tmpdir(), "analysis-compare-"));
  try {
    // b: the second variant made twice as fast in every latency sample (a "change")
    for (const rep of ["rep-0", "rep-1"]) {
      const file = join(b, "02-n-3-q1-2-q2-2", rep, "latency.csv");
      const [head, ...rows] = readFileSync(file, "utf8").trim().split("\n");
      const halved = rows.map((l) => {
        const [t, lat, w] = l.split(",");
        return `${t},${Number(lat) / 2},${w}`;
      });
      writeFileSync(file, `${[head, ...halved].join("\n")}\n`);
    }
    const c = await writeComparison([a, b], out);
    assert.is(c.comparison.runs.length, 2);
    assert.is(c.comparison.rows.length, 10, "5 variants x 2 folders");
    const ratios = c.comparison.rows.map((r) =>
      r.slice(7, 10).map((x) => (typeof x === "string" ? x : x.text)),
    );
    // rows: variant by variant, folder a (the base: ×1.00) then folder b
    assert.equal(ratios[3], ["×1.00", "×0.50", "×0.50"], "variant 2 in b: half the latency");
    for (const i of [0, 1, 2, 4, 5, 6, 7, 8, 9]) {
      assert.equal(ratios[i], ["×1.00", "×1.00", "×1.00"], `row ${i}`);
    }
    const labels = c.comparison.runs.map((r) => r.label);
    assert.is(new Set(labels).size, 2, "two folders of the same name get distinct labels");
    for (const f of c.plots) {
      const root = parseXml(readFileSync(f, "utf8"));
      for (const l of labels) assert.ok(texts(root).includes(l), `${l} in the legend of ${f}`);
    }
    const md = readFileSync(c.markdown, "utf8");
    assert.match(md, /\| n=3 q1=3 q2=1 \| 20261126T155901Z_tiny-sweep \| sim \(sim time\) \| 2 \|/);
    const html = readFileSync(c.html, "utf8");
    assert.is(html.match(/<svg /g)?.length, 2);
    assert.not.match(html, /<script/i);
    assert.equal(c.comparison.warnings, [], "same seed and duration: nothing to warn about");
  } finally {
    for (const d of [a, b]) rmSync(join(d, ".."), { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test("compare warns when the folders differ in seed or duration", async () => {
  const a = copyFixture();
  const b = copyFixture();
  const out = mkdtempSync(join(tmpdir(), "analysis-compare-"));
  try {
    const configPath = join(b, "config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    config.seed = Number(config.seed) + 1;
    config.workload.durationMs = Number(config.workload.durationMs) * 2;
    writeFileSync(configPath, JSON.stringify(config));
    const c = await writeComparison([a, b], out);
    const w = c.comparison.warnings.join("\n");
    assert.match(w, /differs from .* in seed: \d+ vs \d+/);
    assert.match(w, /in duration \(ms\)/);
    assert.match(readFileSync(c.html, "utf8"), /<p class="warn"><b>Warning:<\/b>/);
    assert.match(readFileSync(c.markdown, "utf8"), /\*\*Warning:\*\* .* seed/);
  } finally {
    for (const d of [a, b]) rmSync(join(d, ".."), { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test("the glance of a single-variant run states its figures instead of ranking it", () => {
  const stats = experimentStats(loadResults(FIXTURE), 0.95);
  const one = { ...stats, variants: stats.variants.slice(0, 1) };
  const lines = glance(one);
  assert.not.ok(
    lines.some((l) => /Highest|Lowest/.test(l)),
    lines.join("\n"),
  );
  assert.match(
    lines[0]!,
    /^n=3 q1=3 q2=1: throughput [\d,.]+ ops\/s \(simulated time\), p50 [\d.]+ ms, p99 [\d.]+ ms\.$/,
  );
  assert.ok(glance(stats).some((l) => l.startsWith("Highest throughput:")));
});

test("throughput over time with many faults: the dashed lines stay, the labels give way to a count", async () => {
  const dir = copyFixture();
  try {
    const faults = Array.from({ length: 20 }, (_, i) => ({
      atMs: 100 + 90 * i,
      what: `partition n${(i % 3) + 1} | rest #${i}`,
    }));
    for (const v of readdirSync(dir).filter((d) => /^\d\d-/.test(d))) {
      for (const rep of ["rep-0", "rep-1"]) {
        const file = join(dir, v, rep, "events.json");
        const events = JSON.parse(readFileSync(file, "utf8"));
        writeFileSync(file, JSON.stringify({ ...events, faults }));
      }
    }
    await writeReport(dir);
    const tl = parseXml(readFileSync(join(dir, "plots", "throughput-over-time.svg"), "utf8"));
    assert.is(ariaLabels(tl, "rule mark").length, 20, "a rule per fault");
    assert.not.ok(
      texts(tl).some((t) => t.startsWith("partition")),
      "no fault labels drawn",
    );
    assert.ok(texts(tl).some((t) => t.includes("20 faults (listed in events.json)")));
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test.run();
