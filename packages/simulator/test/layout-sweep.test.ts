// The take-over sweep, small enough for the suite: for every layout of the sweep (colocated or
// not; majority, flexible, grid; 3 to 9 acceptors), single-node cuts of the leader, "all but
// one" cuts, a few random subsets and every single crash, under the simulator-scaled timing,
// with the during-fault liveness check and the safety checkers. Zero failures expected.
// bench/layout-sweep.ts runs the full sweep (every subset, more seeds, default timing).
//
//   SWEEP_SEEDS=3 SWEEP_CUTS=64 node packages/simulator/dist/test/layout-sweep.test.js

import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatViolations } from "../src/checkers.js";
import { describeSweepFault, LAYOUTS, runFaultCase, sweepFaults } from "../src/layout-sweep.js";
import { SimRng } from "../src/rng.js";
import { CHAOS_TIMING } from "../src/scenarios.js";

const seeds = Number(process.env.SWEEP_SEEDS ?? 1);
const maxCuts = Number(process.env.SWEEP_CUTS ?? 6);

test(`take-over sweep: ${LAYOUTS.length} layouts, partial partitions of the leader and single crashes`, () => {
  const failures: string[] = [];
  const worst: string[] = [];
  let checked = 0;
  for (const spec of LAYOUTS) {
    const rng = SimRng.fromSeed(7).fork(spec.name);
    const faults = sweepFaults(spec, spec.colocated ? "n1" : "l1", maxCuts, (n) => rng.below(n));
    let longest = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      for (const fault of faults) {
        const r = runFaultCase(spec, fault, seed, { timing: CHAOS_TIMING });
        if (r.checked) checked++;
        if (r.checked) longest = Math.max(longest, r.longestGapMs);
        const vs = [...r.safety, ...r.liveness];
        if (vs.length > 0) {
          failures.push(
            `${spec.name}, ${describeSweepFault(fault)}, seed ${seed}:\n${formatViolations(vs, 2)}`,
          );
        }
      }
    }
    worst.push(`${spec.name} ${longest.toFixed(0)}`);
  }
  console.log(`  worst take-over (ms, leaderTimeoutMs 100): ${worst.join("; ")}`);
  assert.ok(checked > 200, `only ${checked} cases left the cluster able to commit`);
  assert.equal(failures, [], failures.slice(0, 5).join("\n"));
});

test.run();
