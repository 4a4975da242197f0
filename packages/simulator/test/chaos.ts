// Shared body of the chaos sweeps (one test file per quorum system, so each stays short).
//
//   CHAOS_SEEDS=5000 CHAOS_SEED_OFFSET=0 node packages/simulator/dist/test/chaos-majority3.test.js
//
// sweeps more seeds. Any stall fails the sweep; a stall src/diagnosis.ts recognises ("lost
// decision", "hole starvation": both fixed in core) is named in the message. STRICT_LIVENESS=0
// only counts and prints such stalls, to survey a change that brings one back.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatViolations } from "../src/checkers.js";
import { diagnoseKnownStall } from "../src/diagnosis.js";
import { type PresetName, runChaosCase } from "../src/scenarios.js";

export function sweep(preset: PresetName, defaultSeeds = 300): void {
  const count = Number(process.env.CHAOS_SEEDS ?? defaultSeeds);
  const offset = Number(process.env.CHAOS_SEED_OFFSET ?? 0);
  const strict = process.env.STRICT_LIVENESS !== "0";

  test(`${preset}: ${count} seeds of random faults are safe, and commits resume after the heal`, () => {
    const failures: string[] = [];
    const knownStalls: Record<string, number[]> = {};
    const totals = {
      ops: 0,
      crashes: 0,
      partitions: 0,
      elections: 0,
      lost: 0,
      duplicated: 0,
      snapshots: 0,
      trims: 0,
      restartsFromOwnSnapshot: 0,
    };
    for (let seed = offset; seed < offset + count; seed++) {
      const replay = `replay: node packages/simulator/dist/src/replay.js ${preset} ${seed}`;
      let r: ReturnType<typeof runChaosCase>;
      try {
        r = runChaosCase(preset, seed);
      } catch (e) {
        failures.push(`seed ${seed} threw: ${(e as Error).stack}\n  ${replay}`);
        continue;
      }
      const { sim } = r;
      totals.ops += sim.stats().opsCompleted;
      totals.crashes += sim.faults.filter((f) => f.what.startsWith("crash")).length;
      totals.partitions += sim.faults.filter((f) => /^(partition|isolate)/.test(f.what)).length;
      totals.elections += sim.leadership.filter((l) => l.active).length;
      totals.lost += sim.counters.lost;
      totals.duplicated += sim.counters.duplicated;
      totals.snapshots += sim.replicaRuns.reduce(
        (n, run) => n + run.events.filter((e) => e.type === "snapshotInstalled").length,
        0,
      );
      // bounded state at work: acceptors told to forget, replicas restarting from disk
      for (const id of sim.nodeIds) totals.trims += sim.sentBy(id, "trim");
      totals.restartsFromOwnSnapshot += sim.replicaRuns.reduce(
        (n, run) =>
          n +
          run.events.filter((e) => e.type === "snapshotInstalled" && e.from === run.node).length,
        0,
      );
      if (r.safety.length > 0) {
        failures.push(`seed ${seed}: safety violated\n${formatViolations(r.safety)}\n  ${replay}`);
      } else if (r.liveness.length > 0) {
        const known = diagnoseKnownStall(sim);
        if (known && !strict) {
          const seeds = knownStalls[known.kind] ?? [];
          seeds.push(seed);
          knownStalls[known.kind] = seeds;
        } else {
          failures.push(
            `seed ${seed}: ${formatViolations(r.liveness)}${known ? `\n  (${known.message})` : ""}\n  ${replay}`,
          );
        }
      }
    }
    for (const [kind, seeds] of Object.entries(knownStalls)) {
      console.log(
        `  ${preset}: ${seeds.length}/${count} seeds stalled on the known core bug "${kind}" ` +
          `(seeds ${seeds.slice(0, 8).join(", ")}${seeds.length > 8 ? ", ..." : ""}); ` +
          "STRICT_LIVENESS=1 fails on them",
      );
    }
    assert.ok(
      failures.length === 0,
      `${failures.length} of ${count} seeds failed (${preset}):\n${failures.slice(0, 5).join("\n")}`,
    );
    // The sweep must actually have exercised faults, or passing means nothing.
    if (count >= 50) {
      for (const [what, n] of Object.entries(totals)) {
        assert.ok(
          n > 0,
          `no ${what} happened across ${count} seeds: the chaos is not reaching the cluster`,
        );
      }
    }
  });
}
