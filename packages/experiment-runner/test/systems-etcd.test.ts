// etcd for real: three member processes (Debian's etcd-server) on loopback, driven by our own
// load generator over its gRPC API with gets, puts, deletes and cas; its history is
// written in our format and checked for linearizability, and nothing is left running or on
// disk. Where etcd is not installed, the test is skipped and says why.
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { liveChildren } from "../src/modes/processes.js";
import { findOnPath } from "../src/systems/c-build.js";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

const etcd = process.env.PAXOS_LAB_ETCD ?? findOnPath("etcd");

if (etcd === null) {
  process.stdout.write(
    "etcd test skipped: no etcd on the PATH (apt-get install etcd-server; .ci/run installs it where it can)\n",
  );
  test.skip("a 3-member etcd under our load generator, its history checked", () => {});
} else {
  test("a 3-member etcd under our load generator, its history checked", async () => {
    const dir = tempDir();
    try {
      const file = writeConfig(dir, {
        name: "etcd-test",
        mode: "local",
        cluster: { acceptors: 3 },
        quorums: [{ kind: "majority", label: "majority" }],
        systems: [{ system: "etcd" }],
        network: { default: { latency: { dist: "constant", ms: 0 } } },
        workload: {
          clients: { type: "closed", count: 3, outstanding: 1 },
          mix: { get: 0.4, put: 0.3, delete: 0.1, cas: 0.2 },
          keys: { count: 5 },
          durationMs: 3000,
          warmupMs: 500,
          cooldownMs: 500,
        },
      });
      const out = join(dir, "results");
      const r = await cli(["run", file, "--out", out]);
      assert.is(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /etcd\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\S+\s+\S+\s+3\/3 ok/);
      const run = join(realpathSync(join(out, "latest")), "01-etcd", "rep-0");
      const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
      assert.is(summary.system.kind, "etcd");
      assert.is(summary.extra.endpoints.length, 3, "one member per acceptor");
      // what the workload cost each side, per answered operation (the system's CPU from /proc)
      assert.ok(summary.extra.loadgen_cpu_us_per_op > 0, JSON.stringify(summary.extra));
      assert.ok(summary.extra.loadgen_busy > 0 && summary.extra.loadgen_busy <= 1);
      if (existsSync("/proc/self/stat")) assert.ok(summary.extra.system_cpu_us_per_op > 0);
      assert.ok(summary.ops.completed > 20, `completed ${summary.ops.completed}`);
      for (const name of ["validity", "at-most-once", "linearizability"]) {
        assert.ok(summary.checks[name].passed, name);
      }
      // the history in our format, every kind of operation answered
      const history = readFileSync(join(run, "history.ndjson"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const answered = new Set(history.filter((h) => h.result).map((h) => h.result.type));
      assert.equal([...answered].sort(), ["cas", "delete", "get", "put"]);
      const checks = JSON.parse(readFileSync(join(run, "checks.json"), "utf8"));
      assert.is(checks.linearizability.verdict, "linearizable");
      assert.ok(readdirSync(join(run, "logs")).includes("m3.log"));
      assert.ok(!existsSync(join(run, "data")), "the members' data dirs are removed");
      assert.is(liveChildren(), 0, "every member and the load generator are stopped");
    } finally {
      removeDir(dir);
    }
  });
}

test.run();
