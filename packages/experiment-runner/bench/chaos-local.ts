// Chaos on real processes: configs/chaos-local.json cut to a minute of faults. Five paxos-node
// processes on loopback under a closed-loop load while the seed's schedule SIGKILLs and restarts
// nodes (the leader too), partitions them (random halves, an isolated leader, a bridge) and
// slows or drops messages on links; then the checks: the replicas agree and converge, the
// history is linearizable with a final read of every key (so no acknowledged write was lost),
// and commits resumed within the bound after every heal. Nothing is left running afterwards.
import { readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { liveChildren } from "../src/modes/processes.js";
import { findRoot } from "../src/results.js";
import { cli, removeDir, tempDir, writeConfig } from "./helpers.js";

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

test("a minute of random SIGKILLs and partitions under load: linearizable, nothing lost, commits resume", async () => {
  const dir = tempDir();
  try {
    const config = JSON.parse(
      readFileSync(join(findRoot(), "configs", "chaos-local.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;
    const seed = Number(process.env.CHAOS_SEED ?? 3);
    config.workload!.durationMs = 68_000;
    config.chaos!.startMs = 1_000;
    config.chaos!.healByMs = 62_000; // 61 s of faults, then 6 s for commits to be seen resuming
    const file = writeConfig(dir, { ...config, seed });
    const out = join(dir, "results");
    const r = await cli(["run", file, "--out", out, "--no-report"]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const run = join(realpathSync(join(out, "latest")), "01-majority-n-5", "rep-0");
    const summary = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
    for (const name of [
      "agreement",
      "converged",
      "validity",
      "at-most-once",
      "commits-resume",
      "linearizability",
    ]) {
      assert.ok(summary.checks[name]?.passed, `${name}: ${JSON.stringify(summary.checks[name])}`);
    }
    const whats: string[] = JSON.parse(readFileSync(join(run, "events.json"), "utf8")).faults.map(
      (f: { what: string }) => f.what,
    );
    const count = (re: RegExp) => whats.filter((w) => re.test(w)).length;
    const kills = count(/^crash n\d/);
    const partitions = count(/^(partition|isolate) /);
    assert.ok(kills >= 5, `only ${kills} SIGKILLs: ${whats.join("; ")}`);
    assert.ok(partitions >= 2, `only ${partitions} partitions: ${whats.join("; ")}`);
    assert.is(count(/failed/), 0, whats.join("; "));
    const chaos = summary.extra.chaos;
    assert.ok(chaos.heals_checked >= 3, JSON.stringify(chaos));
    assert.is(chaos.heals_skipped, 0);
    assert.ok(chaos.final_reads > 0);
    assert.is(chaos.final_reads_completed, chaos.final_reads, "every key read back");
    const lin = JSON.parse(readFileSync(join(run, "checks.json"), "utf8")).linearizability;
    assert.is(lin.verdict, "linearizable");
    assert.is(lin.operations, summary.ops.invoked);
    assert.ok(summary.ops.completed > 5_000, `completed ${summary.ops.completed}`);
    console.log(
      `  chaos-local seed ${seed}: ${kills} SIGKILLs, ${partitions} partitions, ${count(/^link /)} link changes; ` +
        `${summary.ops.completed} operations, ${lin.operations} checked linearizable, ` +
        `${chaos.heals_checked} heals checked, ${chaos.final_reads} keys read back`,
    );
    assert.is(liveChildren(), 0, "no child process left");
    for (const port of summary.extra.ports as number[]) {
      assert.ok(await portIsFree(port), `port ${port} was released`);
    }
  } finally {
    removeDir(dir);
  }
});

test.run();
