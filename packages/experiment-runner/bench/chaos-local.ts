// The chaos-local soak (a benchmark, not in the test command: it runs over a minute of wall
// clock on five real processes, and its liveness bound, commits resuming within 5 s of a heal,
// is a wall-clock figure that a busy machine can miss). Prints what happened; exit 1 when a
// check failed.
//
//   npx pnpm@12.4.2 bench:chaos-local        (CHAOS_SEED=N to pick the schedule, default 3)
//
// configs/chaos-local.json cut to a minute of faults. Five paxos-node
// processes on loopback under a closed-loop load while the seed's schedule SIGKILLs and restarts
// nodes (the leader too), partitions them (random halves, an isolated leader, a bridge) and
// slows or drops messages on links; then the checks: the replicas agree and converge, the
// history is linearizable with a final read of every key (so no acknowledged write was lost),
// and commits resumed within the bound after every heal. Nothing is left running afterwards.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/main.js";
import { liveChildren } from "../src/modes/processes.js";
import { findRoot } from "../src/results.js";

const problems: string[] = [];
const assert = {
  ok(cond: unknown, what: string): void {
    if (!cond) problems.push(what);
  },
  is(a: unknown, b: unknown, what = ""): void {
    if (a !== b) problems.push(`${what} expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`);
  },
};

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function soak(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "chaos-local-"));
  try {
    const config = JSON.parse(
      readFileSync(join(findRoot(), "configs", "chaos-local.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;
    const seed = Number(process.env.CHAOS_SEED ?? 3);
    config.workload!.durationMs = 68_000;
    config.chaos!.startMs = 1_000;
    config.chaos!.healByMs = 62_000; // 61 s of faults, then 6 s for commits to be seen resuming
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ ...config, seed }));
    const out = join(dir, "results");
    const started = performance.now();
    const code = await main(["run", file, "--out", out, "--no-report"]);
    assert.is(code, 0, "paxos-lab run exit code:");
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
    assert.ok(chaos.final_reads > 0, "keys were read back at the end");
    assert.is(chaos.final_reads_completed, chaos.final_reads, "every key read back");
    const lin = JSON.parse(readFileSync(join(run, "checks.json"), "utf8")).linearizability;
    assert.is(lin.verdict, "linearizable");
    assert.is(lin.operations, summary.ops.invoked);
    assert.ok(summary.ops.completed > 5_000, `completed ${summary.ops.completed}`);
    console.log(
      `chaos-local seed ${seed} (${((performance.now() - started) / 1000).toFixed(0)} s): ${kills} SIGKILLs, ${partitions} partitions, ${count(/^link /)} link changes; ` +
        `${summary.ops.completed} operations, ${lin.operations} checked linearizable, ` +
        `${chaos.heals_checked} heals checked, ${chaos.final_reads} keys read back`,
    );
    assert.is(liveChildren(), 0, "no child process left");
    for (const port of summary.extra.ports as number[]) {
      assert.ok(await portIsFree(port), `port ${port} was released`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await soak();
for (const p of problems) console.log(`FAILED: ${p}`);
process.exitCode = problems.length === 0 ? 0 : 1;
