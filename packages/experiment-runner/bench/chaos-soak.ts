// The chaos soak: many more seeds than the tests run, through the runner's own path.
//
//   node packages/experiment-runner/dist/bench/chaos-soak.js [seeds] [--from N] [--config FILE]
//        [--variant LABEL]... [--keep]
//
// Runs `seeds` seeds (default 500) of every variant of the config (default
// configs/chaos-sim.json), each with its own random fault schedule, and prints how many runs
// and operations were checked (every operation goes through the linearizability checker),
// the faults played, every violation with the command that replays it, and the time taken.
// The results folder is removed unless a run failed or --keep is given. Exit code 1 when any
// run failed.

import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chaosSweep, formatFailures } from "../src/chaos/sweep.js";
import type { RawConfig } from "../src/config/types.js";
import { findRoot } from "../src/results.js";

function usage(): never {
  console.error(
    "usage: chaos-soak.js [seeds] [--from N] [--config FILE] [--variant LABEL]... [--keep]",
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let seeds = 500;
let from = 1;
let file = join(findRoot(), "configs", "chaos-sim.json");
let keep = false;
const variants: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const value = () => args[++i] ?? usage();
  if (a === "--from") from = Number(value());
  else if (a === "--config") file = value();
  else if (a === "--variant") variants.push(value());
  else if (a === "--keep") keep = true;
  else if (/^\d+$/.test(a)) seeds = Number(a);
  else usage();
}
if (!Number.isSafeInteger(from) || from < 0 || seeds < 1) usage();

const raw = JSON.parse(readFileSync(file, "utf8")) as RawConfig;
const out = join(tmpdir(), `chaos-soak-${process.pid}`);
let last = performance.now();
const r = await chaosSweep(raw, {
  from,
  seeds,
  outBase: out,
  ...(variants.length > 0 ? { variants } : {}),
  onRun: (s, done, total) => {
    if (!s.checks.passed) {
      console.log(
        `  FAIL ${s.variant} seed ${s.seed}: ${[...s.checks.failed, ...s.checks.inconclusive].join(", ")}`,
      );
    }
    if (performance.now() - last > 10_000 || done === total) {
      last = performance.now();
      console.log(`  ${done}/${total} runs`);
    }
  },
});
const secs = r.wallMs / 1000;
console.log(`\nchaos soak: ${file}`);
console.log(`  variants: ${r.variants.join(", ")}`);
console.log(
  `  seeds ${from}..${from + seeds - 1}: ${r.runs} runs, ${r.operations} operations checked ` +
    `(${r.completed} completed, ${r.finalReads} final reads), ${r.healsChecked} heals checked`,
);
console.log(
  `  faults: ${Object.entries(r.faults)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ")}; ${r.leaderChanges} leader elections`,
);
console.log(
  `  ${r.failures.length} violation(s); ${secs.toFixed(1)} s (${(r.wallMs / r.runs) | 0} ms per run)`,
);
if (r.failures.length > 0) {
  console.log(formatFailures(r.failures, 20));
  console.log(`  results kept in ${r.dir}`);
  process.exitCode = 1;
} else if (keep) console.log(`  results in ${r.dir}`);
else rmSync(out, { recursive: true, force: true });
