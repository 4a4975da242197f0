// The take-over sweep over layouts: every partial partition of the active leader's node (its
// links to a subset of the other nodes cut, both ways) and every single crash, with the
// during-fault liveness check (commits within the bound, no healthy leader deposed) and the
// safety checkers, over several seeds. Prints the worst take-over (longest stretch without a
// commit during a fault that left the cluster able to commit) per layout.
//
//   node packages/simulator/dist/bench/layout-sweep.js [--seeds 3] [--max-cuts 128] [--timing default|chaos] [--only NAME]
//
// With more other nodes than fit (2^k - 1 > --max-cuts), the cuts are every single node,
// every "all but one", everything, and random subsets up to --max-cuts (seeded).

import { DEFAULT_TIMING } from "@paxos/core";
import { formatViolations } from "../src/checkers.js";
import { describeSweepFault, LAYOUTS, runFaultCase, sweepFaults } from "../src/layout-sweep.js";
import { defaultLivenessBoundMs } from "../src/liveness.js";
import { SimRng } from "../src/rng.js";
import { CHAOS_TIMING } from "../src/scenarios.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

const seeds = Number(arg("seeds", "3"));
const maxCuts = Number(arg("max-cuts", "128"));
const timingName = arg("timing", "default");
const only = arg("only", "");
const timing = { ...DEFAULT_TIMING, ...(timingName === "chaos" ? CHAOS_TIMING : {}) };
const bound = defaultLivenessBoundMs(timing);
console.log(
  `take-over sweep: ${seeds} seed(s), up to ${maxCuts} cuts per layout, ${timingName} timing ` +
    `(leaderTimeoutMs ${timing.leaderTimeoutMs}), liveness bound ${bound} ms`,
);
let failures = 0;
let cases = 0;
for (const spec of LAYOUTS) {
  if (only && !spec.name.includes(only)) continue;
  const started = performance.now();
  const rng = SimRng.fromSeed(1).fork(spec.name);
  const faults = sweepFaults(spec, spec.colocated ? "n1" : "l1", maxCuts, (n) => rng.below(n));
  let worst = 0;
  let worstWhat = "";
  let checked = 0;
  const failed: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const fault of faults) {
      const r = runFaultCase(spec, fault, seed, { timing });
      cases++;
      if (r.checked) checked++;
      if (r.checked && r.longestGapMs > worst) {
        worst = r.longestGapMs;
        worstWhat = `${describeSweepFault(fault)}, seed ${seed}`;
      }
      const vs = [...r.safety, ...r.liveness];
      if (vs.length > 0)
        failed.push(`${describeSweepFault(fault)} seed ${seed}:\n${formatViolations(vs, 2)}`);
    }
  }
  failures += failed.length;
  console.log(
    `${spec.name.padEnd(20)} ${String(faults.length * seeds).padStart(5)} cases, ` +
      `${String(checked).padStart(5)} could commit; worst take-over ${worst.toFixed(0).padStart(5)} ms ` +
      `(${worstWhat}); ${failed.length} failures; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  for (const f of failed.slice(0, 3)) console.log(`  ${f}`);
}
console.log(`${cases} cases, ${failures} liveness or safety failures`);
process.exitCode = failures > 0 ? 1 : 0;
