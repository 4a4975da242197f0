// `paxos-lab report` and `paxos-lab compare` through the CLI, on the recorded results folder of
// @paxos/analysis's fixtures; and `run` writes the report at the end unless --no-report.
import { cpSync, existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const FIXTURE = new URL("../../../../analysis/test/fixtures/tiny-sweep", import.meta.url).pathname;

test("report <dir> writes report.html, summary.md and plots/; a bad folder is exit 65", async () => {
  const dir = tempDir();
  try {
    const results = join(dir, "20261126T155901Z_tiny-sweep");
    cpSync(FIXTURE, results, { recursive: true });
    const r = await cli(["report", results]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /report: .*report\.html/);
    assert.match(r.stdout, /plots: 6 SVG\(s\)/);
    for (const f of [
      "report.html",
      "summary.md",
      "plots/latency-cdf.svg",
      "plots/sweep-throughput.svg",
    ]) {
      assert.ok(existsSync(join(results, f)), f);
    }
    const bad = await cli(["report", join(dir, "missing")]);
    assert.is(bad.code, 65);
    assert.match(bad.stderr, /no such folder/);
    const notResults = await cli(["report", dir]);
    assert.is(notResults.code, 65);
    assert.match(notResults.stderr, /no config\.json/);
  } finally {
    removeDir(dir);
  }
});

test("compare <dir> <dir> prints the table with ratios and writes compare.html", async () => {
  const dir = tempDir();
  try {
    const a = join(dir, "a");
    const b = join(dir, "b");
    cpSync(FIXTURE, a, { recursive: true });
    cpSync(FIXTURE, b, { recursive: true });
    const out = join(dir, "cmp");
    const r = await cli(["compare", a, b, "--out", out]);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /variant\s+results\s+mode\s+runs\s+throughput \(ops\/s\)/);
    assert.match(
      r.stdout,
      /n=4 q1=2 q2=3\s+b\s+sim \(sim time\)\s+2\s+.*×1\.00\s+×1\.00\s+×1\.00\s+ok/,
    );
    assert.ok(existsSync(join(out, "compare.html")));
    assert.ok(existsSync(join(out, "plots", "compare-latency.svg")));
    const one = await cli(["compare", a]);
    assert.is(one.code, 64);
    assert.match(one.stderr, /at least two/);
  } finally {
    removeDir(dir);
  }
});

test("run writes the report at the end; --no-report skips it", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, {
      name: "report-e2e",
      mode: "sim",
      seed: 2,
      cluster: { acceptors: 3 },
      quorums: [
        { kind: "majority", label: "maj" },
        { kind: "flexible", phase1: 3, phase2: 1, label: "fp" },
      ],
      workload: {
        clients: { type: "closed", count: 2, outstanding: 1 },
        durationMs: 600,
        warmupMs: 100,
        cooldownMs: 100,
      },
    });
    const withReport = await cli(["run", file, "--out", join(dir, "r1")]);
    assert.is(withReport.code, 0, withReport.stderr);
    assert.match(withReport.stdout, /report: .*report\.html/);
    const latest = realpathSync(join(dir, "r1", "latest"));
    const html = readFileSync(join(latest, "report.html"), "utf8");
    assert.match(html, /<h1>report-e2e<\/h1>/);
    assert.ok(existsSync(join(latest, "summary.md")));
    const without = await cli(["run", file, "--out", join(dir, "r2"), "--no-report"]);
    assert.is(without.code, 0, without.stderr);
    assert.not.match(without.stdout, /report:/);
    assert.not.ok(existsSync(join(realpathSync(join(dir, "r2", "latest")), "report.html")));
  } finally {
    removeDir(dir);
  }
});

test.run();
