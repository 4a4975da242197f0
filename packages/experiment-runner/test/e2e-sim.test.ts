// End to end in sim mode: `paxos-lab run` on short configs, through the CLI, into a results
// folder; the exit code says whether every check passed, and an unsafe quorum on purpose is
// caught by the checkers (exit 1, with the seed to replay).
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const short = {
  name: "e2e-sim",
  mode: "sim",
  seed: 3,
  repetitions: 2,
  cluster: { acceptors: 5 },
  quorums: [
    { kind: "majority", label: "maj" },
    { kind: "flexible", phase1: 4, phase2: 2, label: "fp" },
  ],
  workload: {
    clients: { type: "closed", count: 3, outstanding: 2 },
    durationMs: 1500,
    warmupMs: 500,
    cooldownMs: 100,
  },
  faults: [
    { atMs: 800, action: "crash", node: "@leader" },
    { atMs: 1200, action: "restart", node: "@leader" },
  ],
};

test("a short sim experiment runs every variant and repetition, exit 0", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, short);
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out]);
    assert.is(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /variant\s+runs\s+ops\/s\s+p50 ms\s+p99 ms\s+p99\.9 ms\s+cmd\/slot\s+msg\/cmd\s+checks/,
    );
    assert.match(r.stdout, /maj\s+2\s+\d+/);
    assert.match(r.stdout, /fp\s+2\s+\d+.*12\/12 ok/);
    assert.match(r.stdout, /simulated time/);
    assert.match(r.stderr, /\[4\/4; 100%\]/, "plain progress lines when not a terminal");
    const latest = realpathSync(join(out, "latest"));
    const summary = JSON.parse(
      readFileSync(join(latest, "02-fp", "rep-1", "summary.json"), "utf8"),
    );
    assert.is(summary.seed, 4, "repetition r runs with seed + r");
    assert.is(summary.time, "simulated");
    assert.ok(summary.throughput.ops_per_s > 0);
    // the leader crash is resolved to a node and its effect measured
    assert.match(summary.faults[0].what, /crash n\d \(the leader\)/);
    assert.ok(summary.faults[0].unavailable_ms > 0);
    assert.is(summary.checks.passed, true);
    // the linearizability check ran on the history: checks.json next to it
    const checks = JSON.parse(readFileSync(join(latest, "02-fp", "rep-1", "checks.json"), "utf8"));
    assert.is(checks.linearizability.verdict, "linearizable");
    assert.is(checks.linearizability.operations, summary.ops.invoked);
    assert.is(summary.checks.linearizability.passed, true);
  } finally {
    removeDir(dir);
  }
});

test("the same seed gives the same trace; --seed and --quick override the config", async () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, {
      ...short,
      repetitions: 1,
      quorums: [short.quorums[0]],
      network: { default: { latency: { dist: "exponential", meanMs: 1 } } },
    });
    const hashes: string[] = [];
    for (const seed of ["5", "5", "6"]) {
      const out = join(dir, `r${hashes.length}`);
      const r = await cli(["run", file, "--out", out, "--seed", seed, "--quick"]);
      assert.is(r.code, 0, r.stderr);
      const s = JSON.parse(
        readFileSync(join(out, "latest", "01-maj", "rep-0", "summary.json"), "utf8"),
      );
      assert.is(s.seed, Number(seed));
      hashes.push(s.extra.trace_hash);
    }
    assert.is(hashes[0], hashes[1]);
    assert.is.not(hashes[0], hashes[2]);
  } finally {
    removeDir(dir);
  }
});

test("an unsafe quorum run on purpose is caught: exit 1, the failed check and the seed", async () => {
  const dir = tempDir();
  try {
    const nodes = [
      { id: "n1", roles: ["replica", "leader", "acceptor"] },
      { id: "n2", roles: ["acceptor"] },
      { id: "n3", roles: ["replica", "leader", "acceptor"] },
      { id: "n4", roles: ["acceptor"] },
      { id: "n5", roles: ["acceptor"] },
    ];
    const file = writeConfig(dir, {
      name: "unsafe",
      seed: 11,
      cluster: { nodes },
      quorums: [{ kind: "flexible", phase1: 2, phase2: 2, allowUnsafe: true, label: "unsafe 2/2" }],
      workload: {
        clients: { type: "closed", count: 4, outstanding: 2 },
        durationMs: 2500,
        warmupMs: 200,
        cooldownMs: 100,
      },
      faults: [
        {
          atMs: 500,
          action: "partition",
          groups: [
            ["n1", "n2"],
            ["n3", "n4", "n5"],
          ],
        },
        // Clients follow the leader's replica, so they stay with n1's side: crash n1 to send
        // them to n3's side, which decides the slots n1's side decided again.
        { atMs: 1000, action: "crash", node: "n1" },
        { atMs: 1800, action: "heal" },
      ],
    });
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out]);
    assert.is(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /FAILED: unsafe 2\/2 rep 0 \(seed 11\): agreement/);
    assert.match(r.stderr, /--seed 11/);
    assert.match(r.stdout, /FAIL/);
    assert.ok(existsSync(join(out, "latest", "results.csv")));
  } finally {
    removeDir(dir);
  }
});

test.run();
