// The report of an experiment with several systems: a results folder as the runner writes it
// for our engine (latency samples, a checked history) and for LibPaxos3 (per-second means, no
// history) at two outstanding counts. Each system is a row; ratios compare the systems of one
// outstanding count; LibPaxos's rows show its mean, no made-up percentiles, and "not checked";
// a sentence says what each system's latency measures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { experimentStats } from "../src/aggregate.js";
import { summaryRows, systemNotes, writeReport } from "../src/experiment-report.js";
import { latencyByVariantSpec } from "../src/plots.js";
import { loadResults } from "../src/results.js";

const OURS = "client-visible: request to answer";
const THEIRS = "submit-to-learn at the client's learner";

function system(kind: string, outstanding: number, history: boolean) {
  return {
    kind,
    name: kind === "paxos-lab" ? "paxos-lab" : "LibPaxos3",
    label: kind === "paxos-lab" ? "paxos-lab" : "LibPaxos3",
    latency_measures: kind === "paxos-lab" ? OURS : THEIRS,
    history,
    quorum_label: "majority n=3",
    outstanding,
  };
}

const nulls = {
  stddev_ms: null,
  p50_ms: null,
  p90_ms: null,
  p95_ms: null,
  p99_ms: null,
  p999_ms: null,
};

/** One run folder: ours with latency samples of `latencyMs`, theirs with per-second means. */
function writeRun(
  dir: string,
  label: string,
  kind: string,
  outstanding: number,
  opsPerS: number,
  latencyMs: number,
) {
  mkdirSync(dir, { recursive: true });
  const ours = kind === "paxos-lab";
  const checks = ours
    ? {
        passed: true,
        total: 1,
        failed: [],
        inconclusive: [],
        linearizability: { passed: true, violations: [] },
      }
    : { passed: true, total: 0, failed: [], inconclusive: [] };
  writeFileSync(
    join(dir, "summary.json"),
    JSON.stringify({
      experiment: "vs",
      variant: label,
      quorum: "majority(n=3, quorum=2)",
      repetition: 0,
      seed: 1,
      mode: "local",
      time: "wall-clock",
      window: { from_ms: 1000, to_ms: 3000 },
      ops: { invoked: 0, completed: 0, in_window: 0, unfinished: 0 },
      throughput: { ops_per_s: opsPerS },
      latency: ours
        ? {
            count: 4,
            mean_ms: latencyMs,
            min_ms: latencyMs,
            max_ms: latencyMs,
            ...nulls,
            p50_ms: latencyMs,
          }
        : {
            count: opsPerS * 2,
            mean_ms: latencyMs,
            min_ms: latencyMs / 2,
            max_ms: latencyMs * 3,
            ...nulls,
          },
      checks,
      faults: [],
      leadership_changes: 0,
      error: null,
      system: system(kind, outstanding, ours),
    }),
  );
  if (ours) {
    // opsPerS over the 2 s window, each op taking latencyMs
    const n = opsPerS * 2;
    const rows = ["returned_at_ms,latency_ms,in_window"];
    for (let i = 0; i < n; i++) rows.push(`${1000 + (i * 2000) / n},${latencyMs},1`);
    writeFileSync(join(dir, "latency.csv"), `${rows.join("\n")}\n`);
  } else {
    writeFileSync(
      join(dir, "per-second.csv"),
      `t_ms,ops,latency_mean_ms,latency_min_ms,latency_max_ms\n1000,${opsPerS},${latencyMs},1,9\n2000,${opsPerS},${latencyMs},1,9\n`,
    );
  }
  writeFileSync(
    join(dir, "throughput.csv"),
    `t_ms,ops,ops_per_s\n1000,${opsPerS},${opsPerS}\n2000,${opsPerS},${opsPerS}\n`,
  );
}

function fixture(): string {
  const base = mkdtempSync(join(tmpdir(), "analysis-systems-"));
  const dir = join(base, "20261202T000000Z_vs");
  mkdirSync(dir);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      name: "vs",
      mode: "local",
      cluster: { acceptors: 3 },
      quorums: [{ kind: "majority", label: "majority n=3" }],
      workload: { durationMs: 4000, warmupMs: 1000, cooldownMs: 1000 },
    }),
  );
  writeRun(
    join(dir, "01-paxos-lab-1-outstanding", "rep-0"),
    "paxos-lab, 1 outstanding",
    "paxos-lab",
    1,
    100,
    2,
  );
  writeRun(
    join(dir, "02-libpaxos3-1-outstanding", "rep-0"),
    "LibPaxos3, 1 outstanding",
    "libpaxos3",
    1,
    400,
    0.5,
  );
  writeRun(
    join(dir, "03-paxos-lab-10-outstanding", "rep-0"),
    "paxos-lab, 10 outstanding",
    "paxos-lab",
    10,
    1000,
    4,
  );
  writeRun(
    join(dir, "04-libpaxos3-10-outstanding", "rep-0"),
    "LibPaxos3, 10 outstanding",
    "libpaxos3",
    10,
    5000,
    1,
  );
  return dir;
}

test("rows per system, ratios within an outstanding count, mean without percentiles, not checked", () => {
  const dir = fixture();
  try {
    const stats = experimentStats(loadResults(dir));
    const { header, rows } = summaryRows(stats);
    const text = (r: (typeof rows)[number], col: string) => {
      const c = r[header.indexOf(col)]!;
      return typeof c === "string" ? c : c.text;
    };
    assert.equal(
      rows.map((r) => text(r, "variant")),
      [
        "paxos-lab, 1 outstanding",
        "LibPaxos3, 1 outstanding",
        "paxos-lab, 10 outstanding",
        "LibPaxos3, 10 outstanding",
      ],
    );
    // LibPaxos3 at 10 against our engine at 10, not against the first row
    assert.is(text(rows[1]!, "ops/s ratio"), "×4.00");
    assert.is(text(rows[3]!, "ops/s ratio"), "×5.00");
    assert.is(text(rows[3]!, "mean ratio"), "×0.25");
    assert.is(text(rows[2]!, "ops/s ratio"), "×1.00");
    assert.is(text(rows[3]!, "mean (ms)"), "1.00");
    assert.is(text(rows[3]!, "p50 (ms)"), "-");
    assert.is(text(rows[3]!, "p50 ratio"), "-");
    assert.is(text(rows[3]!, "max (ms)"), "3.00");
    assert.is(text(rows[1]!, "checks"), "not checked");
    assert.match(text(rows[0]!, "checks"), /1\/1 ok/);
    const notes = systemNotes(stats);
    assert.equal(notes.length, 2);
    assert.match(notes[0]!, new RegExp(`paxos-lab: latency is ${OURS}`));
    assert.match(notes[1]!, /LibPaxos3: latency is submit-to-learn.*not checked/);
    const spec = JSON.stringify(latencyByVariantSpec(stats));
    assert.match(spec, /mean \(no percentiles\)/);
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test("report.html and summary.md carry the rows, the notes and the group ratios", async () => {
  const dir = fixture();
  try {
    const r = await writeReport(dir);
    const { readFileSync } = await import("node:fs");
    const html = readFileSync(r.html, "utf8");
    const md = readFileSync(r.markdown, "utf8");
    for (const doc of [html, md]) {
      assert.match(doc, /not checked/);
      assert.match(
        doc,
        /submit-to-learn at the client&#39;s learner|submit-to-learn at the client's learner/,
      );
      assert.match(doc, /first row with the same quorum variant and outstanding count/);
    }
    assert.match(
      md,
      /Highest throughput: LibPaxos3, 10 outstanding, 5000 ops\/s, ×5\.00 of paxos-lab, 10 outstanding/,
    );
    assert.match(
      md,
      /Not checked \(no client history\): LibPaxos3, 1 outstanding, LibPaxos3, 10 outstanding/,
    );
  } finally {
    rmSync(join(dir, ".."), { recursive: true, force: true });
  }
});

test.run();
