// What a leader failure and a follower restart cost on real processes: five paxos-node
// processes on loopback (acceptors 5, replicas 3, leaders 2, colocated, majority; the engine's
// default timing), a closed-loop load, then one after the other: SIGKILL the leader (restarted
// 3 s later), and SIGKILL and restart each node in turn (so each follower, and whoever leads
// by then once more). For every fault the longest stretch
// without an acknowledged operation in the 4 s after it (and the restart after it) is printed.
//
//   node packages/experiment-runner/dist/bench/takeover-local.js [--seed 1] [--thrifty]
//
// "Quiet machine" matters: on a loaded one the processes themselves stall (the load is printed).

import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../src/config/resolve.js";
import { runLocal } from "../src/modes/local.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

const seed = Number(arg("seed", "1"));
const thrifty = process.argv.includes("--thrifty");
// every node in turn: the one leading by then is a second leader kill, the others followers
const NODES = ["n1", "n2", "n3", "n4", "n5"];
// the leader first (killed at 3 s, back at 6 s), then each node: down 2 s, then 4 s to rejoin
const faults: { atMs: number; action: "crash" | "restart"; node: string }[] = [
  { atMs: 3_000, action: "crash", node: "@leader" },
  { atMs: 6_000, action: "restart", node: "@leader" },
];
let t = 10_000;
for (const node of NODES) {
  faults.push({ atMs: t, action: "crash", node }, { atMs: t + 2_000, action: "restart", node });
  t += 6_000;
}
const durationMs = t + 2_000;

const { config, variants } = resolveConfig({
  name: "takeover-local",
  mode: "local",
  seed,
  cluster: { acceptors: 5, replicas: 3, leaders: 2, colocated: true },
  quorums: [{ kind: "majority", label: "majority", ...(thrifty ? { thrifty: true } : {}) }],
  network: { default: { latency: { dist: "constant", ms: 0.5 } } },
  workload: {
    clients: { type: "closed", count: 4, outstanding: 2 },
    mix: { get: 0.5, put: 0.5 },
    keys: { count: 100 },
    durationMs,
    warmupMs: 1_000,
    cooldownMs: 500,
  },
  faults,
});
const dir = mkdtempSync(join(tmpdir(), "takeover-local-"));
console.log(
  `load average before: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
try {
  const outcome = await runLocal({ config, variant: variants[0]!, repetition: 0, seed, dir });
  if (outcome.error) throw new Error(outcome.error);
  const returns = outcome.history
    .map((h) => h.returnedAt)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  /** the longest stretch without an acknowledgement that overlaps [fromMs, toMs] */
  const longestGap = (fromMs: number, toMs: number) => {
    let prev = returns.filter((r) => r <= fromMs).at(-1) ?? 0;
    let gap = { ms: 0, at: fromMs };
    for (const r of returns) {
      if (r <= fromMs) continue;
      if (r - prev > gap.ms) gap = { ms: r - prev, at: prev };
      prev = r;
      if (r > toMs) break;
    }
    return gap;
  };
  const checks = outcome.checks.map((c) => `${c.name} ${c.passed ? "ok" : "FAILED"}`).join(", ");
  console.log(`${outcome.history.length} operations; checks: ${checks}`);
  const ops = returns.length;
  console.log(`throughput ${((ops * 1000) / durationMs).toFixed(0)} ops/s over the run`);
  for (const f of outcome.faults) {
    const g = longestGap(f.atMs, f.atMs + 4_000);
    console.log(
      `${f.what.padEnd(28)} at ${String(f.atMs).padStart(6)} ms: longest stretch without an ` +
        `acknowledgement ${g.ms.toFixed(0).padStart(5)} ms (from ${g.at.toFixed(0)} ms)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" ")}`,
  );
}
