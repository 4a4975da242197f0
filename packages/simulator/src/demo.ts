// `pnpm demo`: the same workload on the same 5-node cluster under several quorum systems, in
// simulated time, with the safety checkers run on every result.
//
//   node packages/simulator/dist/src/demo.js [--seconds 5] [--seed 1]

import type { Role } from "@paxos/core";
import { flexible, grid, majority, type QuorumSystem } from "@paxos/quorum-system";
import { checkSafety } from "./checkers.js";
import { type NodeSpec, Simulation } from "./simulation.js";

interface Variant {
  readonly label: string;
  readonly quorum: QuorumSystem;
  readonly extraNodes: readonly NodeSpec[];
  readonly thrifty?: boolean;
}

function args(): { seconds: number; seed: number } {
  const argv = process.argv.slice(2);
  const get = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
    return v;
  };
  return { seconds: get("seconds", 5), seed: Math.floor(get("seed", 1)) };
}

const SERVER: readonly Role[] = ["replica", "leader", "acceptor"];
const servers = ["n1", "n2", "n3", "n4", "n5"];
const clients: NodeSpec[] = ["c1", "c2", "c3"].map((id) => ({ id, roles: ["client"] }));
// For the grid: 4 acceptor-only nodes join the 5 servers, 9 acceptors in a 3x3 grid.
const gridAcceptors: NodeSpec[] = ["a6", "a7", "a8", "a9"].map((id) => ({
  id,
  roles: ["acceptor"],
}));
const gridRows = [
  ["n1", "n2", "n3"],
  ["n4", "n5", "a6"],
  ["a7", "a8", "a9"],
];

const variants: Variant[] = [
  { label: "majority", quorum: majority(servers), extraNodes: [] },
  {
    label: "flexible p1=4 p2=2",
    quorum: flexible(servers, { phase1: 4, phase2: 2 }),
    extraNodes: [],
  },
  {
    label: "flexible p1=4 p2=2 thrifty",
    quorum: flexible(servers, { phase1: 4, phase2: 2 }),
    extraNodes: [],
    thrifty: true,
  },
  {
    label: "grid 3x3 (+4 acceptors)",
    quorum: grid(gridRows, { phase1: "row" }),
    extraNodes: gridAcceptors,
  },
];

function main(): void {
  const { seconds, seed } = args();
  console.log(
    `5 nodes (replica+leader+acceptor), 3 clients x 8 outstanding ops, links 1 ms +/- 0.2 ms, ` +
      `${seconds} simulated s, seed ${seed}\n`,
  );
  const header = [
    "quorum system",
    "describe()",
    "ops",
    "ops/s (sim)",
    "p50 ms",
    "p99 ms",
    "delivered",
    "wall s",
    "safety",
  ];
  const rows: string[][] = [];
  for (const v of variants) {
    const started = performance.now();
    const sim = new Simulation({
      nodes: [...servers.map((id) => ({ id, roles: SERVER })), ...v.extraNodes, ...clients],
      quorum: v.quorum,
      seed,
      network: { link: { latency: { kind: "constant", ms: 1 }, jitterMs: 0.2 } },
      workload: { outstandingPerClient: 8, keyCount: 1_000, valueBytes: 16 },
      ...(v.thrifty ? { leader: { thrifty: true } } : {}),
    });
    sim.runUntil(seconds * 1_000);
    const wall = (performance.now() - started) / 1_000;
    const s = sim.stats();
    const violations = checkSafety(sim);
    rows.push([
      v.label,
      v.quorum.describe(),
      String(s.opsCompleted),
      s.throughputOpsPerSec.toFixed(0),
      s.latencyMs.p50Ms.toFixed(2),
      s.latencyMs.p99Ms.toFixed(2),
      String(s.messages.delivered),
      wall.toFixed(2),
      violations.length === 0 ? "ok" : `${violations.length} VIOLATIONS`,
    ]);
    if (violations.length > 0) process.exitCode = 1;
  }
  printTable(header, rows);
  console.log(
    "\nops, latency: client operations completed and their latency, in simulated time; " +
      "wall s: real time to simulate the run.\nsafety: agreement, validity, at-most-once, in-order " +
      "application and result checks over every replica's applied log and the client history.",
  );
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 2 && i <= 7;
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

main();
