// Replays one chaos seed and prints what happened: the fault schedule, the faults as they
// fired, leadership changes, statistics, the trace hash and every violation.
//
//   node packages/simulator/dist/src/replay.js <preset> <seed> [--schedule random|split-brain]
//
// The safety tests print this command line for every failing seed.

import { formatBallot } from "@paxos/core";
import { formatViolations } from "./checkers.js";
import { diagnoseKnownStall } from "./diagnosis.js";
import { describeFault } from "./faults.js";
import { isPresetName, PRESETS, runChaosCase, type ScheduleKind } from "./scenarios.js";

function usage(): never {
  console.error(
    `usage: replay.js <preset> <seed> [--schedule random|split-brain]\npresets: ${Object.keys(PRESETS).join(", ")}`,
  );
  process.exit(2);
}

const [name, seedText, ...rest] = process.argv.slice(2);
if (name === undefined || seedText === undefined || !isPresetName(name)) usage();
const seed = Number(seedText);
if (!Number.isSafeInteger(seed)) usage();
let schedule: ScheduleKind = "random";
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === "--schedule" && (rest[i + 1] === "random" || rest[i + 1] === "split-brain")) {
    schedule = rest[++i] as ScheduleKind;
  } else usage();
}

const r = runChaosCase(name, seed, { schedule });
const { sim } = r;
console.log(`preset ${name} (${sim.config.quorum.describe()}), seed ${seed}, schedule ${schedule}`);
console.log("\nfault schedule:");
for (const f of r.faults) console.log(`  ${describeFault(f)}`);
console.log("\nas it happened:");
for (const f of sim.faults) console.log(`  ${f.atMs.toFixed(3)}ms ${f.what}`);
console.log("\nleadership:");
for (const l of sim.leadership) {
  console.log(
    `  ${l.atMs.toFixed(3)}ms ${l.node}#${l.incarnation} ${l.active ? "leads" : "steps down"} ${formatBallot(l.ballot)}`,
  );
}
const s = sim.stats();
console.log(
  `\n${s.opsCompleted}/${s.opsInvoked} ops completed, p50 ${s.latencyMs.p50Ms.toFixed(1)} ms, ` +
    `p99 ${s.latencyMs.p99Ms.toFixed(1)} ms; messages ${JSON.stringify(s.messages)}`,
);
console.log(`trace hash ${sim.traceHash()}`);
const all = [...r.safety, ...r.liveness];
console.log(
  all.length === 0
    ? "\nno violations"
    : `\n${all.length} violation(s):\n${formatViolations(all, 50)}`,
);
if (r.liveness.length > 0) {
  const known = diagnoseKnownStall(sim);
  console.log(known ? `diagnosis: ${known.message}` : "diagnosis: no known stall pattern matches");
}
process.exitCode = all.length === 0 ? 0 : 1;
