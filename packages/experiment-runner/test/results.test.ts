// The results layout: <base>/<utc>_<name>/ with a `latest` link, the resolved config, the
// environment, per variant and repetition summary.json, history.ndjson, latency and throughput
// files, and results.csv with one row per run and dotted column names.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveConfig } from "../src/config/resolve.js";
import { createRunDir, toCsv, utcStamp, variantDir } from "../src/results.js";
import { runExperiment } from "../src/run/runner.js";
import type { RunOutcome } from "../src/run/types.js";
import { flatten, latencyStats, summarize, timeline } from "../src/stats.js";
import { removeDir, tempDir } from "./helpers.js";

const config = {
  name: "layout",
  seed: 9,
  repetitions: 2,
  cluster: { acceptors: 3 },
  quorums: [{ kind: "majority" }, { kind: "sweep", phase2: { from: 1, to: 2 } }],
  workload: {
    durationMs: 800,
    warmupMs: 200,
    cooldownMs: 100,
    clients: { type: "closed", count: 2, outstanding: 2 },
  },
};

test("one folder per experiment run with the whole layout", async () => {
  const base = tempDir();
  try {
    const exp = resolveConfig(config);
    const result = await runExperiment(exp, { outBase: base });
    assert.match(result.dir.slice(base.length + 1), /^\d{8}T\d{6}Z_layout$/);
    assert.is(readlinkSync(join(base, "latest")), result.dir.slice(base.length + 1));
    const saved = JSON.parse(readFileSync(join(result.dir, "config.json"), "utf8"));
    assert.equal(saved, JSON.parse(JSON.stringify(exp.config)), "the resolved config is saved");
    assert.is(saved.quorums.length, 3, "sweeps are saved expanded");
    const env = JSON.parse(readFileSync(join(result.dir, "env.json"), "utf8"));
    assert.is(env.node, process.version);
    assert.is(env.mode, "sim");
    assert.ok("commit" in env.git);
    assert.ok(env.cpu.count >= 1);
    const variants = readdirSync(result.dir)
      .filter((f) => /^\d\d-/.test(f))
      .sort();
    assert.equal(variants, ["01-majority-n-3", "02-n-3-p1-3-p2-1", "03-n-3-p1-2-p2-2"]);
    for (const v of variants) {
      for (const rep of ["rep-0", "rep-1"]) {
        const d = join(result.dir, v, rep);
        for (const f of [
          "summary.json",
          "history.ndjson",
          "latency.csv",
          "throughput.csv",
          "events.json",
        ]) {
          assert.ok(existsSync(join(d, f)), `${v}/${rep}/${f}`);
        }
        const lines = readFileSync(join(d, "history.ndjson"), "utf8").trim().split("\n");
        assert.ok(lines.length > 10);
        const first = JSON.parse(lines[0]!);
        assert.equal(Object.keys(first), [
          "clientId",
          "seq",
          "op",
          "result",
          "invokedAt",
          "returnedAt",
        ]);
        assert.match(
          readFileSync(join(d, "latency.csv"), "utf8"),
          /^returned_at_ms,latency_ms,in_window\n/,
        );
        assert.match(readFileSync(join(d, "throughput.csv"), "utf8"), /^t_ms,ops,ops_per_s\n0,/);
      }
    }
    const csv = readFileSync(join(result.dir, "results.csv"), "utf8").trim().split("\n");
    assert.is(csv.length, 1 + 3 * 2, "a header and one row per run");
    const header = csv[0]!.split(",");
    for (const col of [
      "variant",
      "repetition",
      "seed",
      "throughput.ops_per_s",
      "latency.p50_ms",
      "latency.p99_ms",
      "latency.p999_ms",
      "checks.passed",
    ]) {
      assert.ok(header.includes(col), col);
    }
    assert.ok(existsSync(join(result.dir, "summary.txt")));
    // a second run gets its own folder and moves `latest`
    const again = await runExperiment(
      resolveConfig({ ...config, repetitions: 1, quorums: [{ kind: "majority" }] }),
      { outBase: base },
    );
    assert.is.not(again.dir, result.dir);
    assert.is(readlinkSync(join(base, "latest")), again.dir.slice(base.length + 1));
  } finally {
    removeDir(base);
  }
});

test("folder names, CSV quoting and flattening", () => {
  assert.is(utcStamp(new Date("2025-03-04T05:06:07.890Z")), "20250304T050607Z");
  assert.is(variantDir(0, "Flexible 4/2 (thrifty)"), "01-flexible-4-2-thrifty");
  const base = tempDir();
  try {
    const when = new Date("2025-03-04T05:06:07Z");
    const a = createRunDir(base, "x", when);
    const b = createRunDir(base, "x", when);
    assert.is(b, `${a}-2`);
  } finally {
    removeDir(base);
  }
  assert.equal(flatten({ a: { b: 1, c: { d: "x" } }, e: null }), {
    "a.b": 1,
    "a.c.d": "x",
    e: null,
  });
  assert.is(toCsv([{ a: 1, b: 'say "hi", ok' }]), 'a,b\n1,"say ""hi"", ok"\n');
});

test("statistics: percentiles, window, timeline and the effect of a fault", () => {
  const l = latencyStats([5, 1, 3, 2, 4]);
  assert.is(l.p50_ms, 3);
  assert.is(l.max_ms, 5);
  assert.is(latencyStats([]).p99_ms, null);
  // 1 op every 10 ms, none between 500 and 800 ms (a fault at 500 ms)
  const history = [];
  for (let t = 10; t < 2000; t += 10) {
    if (t >= 500 && t < 800) continue;
    history.push({
      clientId: "c",
      seq: t,
      op: { type: "get" as const, key: "k" },
      result: { type: "get" as const, value: null },
      invokedAt: t - 2,
      returnedAt: t,
    });
  }
  const outcome: RunOutcome = {
    mode: "sim",
    time: "simulated",
    variant: "v",
    quorum: "q",
    repetition: 0,
    seed: 1,
    startedAt: "",
    wallMs: 1,
    durationMs: 2000,
    warmupMs: 100,
    cooldownMs: 100,
    history,
    checks: [{ name: "agreement", passed: true, violations: [] }],
    faults: [{ atMs: 500, what: "crash n1" }],
    leadership: [],
    extra: {},
  };
  const s = summarize("x", outcome);
  assert.equal(s.window, { from_ms: 100, to_ms: 1900 });
  assert.is(s.latency.p50_ms, 2);
  assert.is(s.faults[0]!.unavailable_ms, 300);
  assert.ok(
    s.faults[0]!.recovery_ms! >= 300 && s.faults[0]!.recovery_ms! <= 420,
    String(s.faults[0]!.recovery_ms),
  );
  const tl = timeline(history, 2000, 100);
  assert.is(tl.length, 20);
  assert.is(tl[6]!.ops, 0);
  assert.is(tl[1]!.ops_per_s, 100);
});

test.run();
