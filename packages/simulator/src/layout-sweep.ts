// Take-over under partial faults, over cluster layouts: for a layout (roles colocated or on
// their own nodes; 3, 5 or 7 acceptors, or 4, 6, 9 in a grid; majority, flexible or grid
// quorums), cut the active leader's node from a subset of the other nodes, or crash one node,
// for longer than the liveness bound, under a closed-loop load. Each case reports its longest
// stretch without a commit during the fault (the take-over time when the fault stalls the
// leader; a few ms when it does not), the during-fault liveness check and the safety checkers.
// What the sweep test and bench/layout-sweep.ts run.

import {
  DEFAULT_TIMING,
  type NodeConfig,
  type NodeStart,
  type PaxosNode,
  type Role,
  type Timing,
} from "@paxos/core";
import { flexible, grid, majority, type QuorumSystem } from "@paxos/quorum-system";
import { checkCommitsResumed, checkSafety, type Violation } from "./checkers.js";
import type { NodeSpec } from "./cluster.js";
import { defaultLivenessBoundMs, NetStateLog } from "./liveness.js";
import { Simulation } from "./simulation.js";

export interface LayoutSpec {
  readonly name: string;
  /** replica, leader and acceptor roles share nodes (n1..), or each has its own (l1, r1, a1) */
  readonly colocated: boolean;
  readonly acceptors: number;
  readonly quorum: "majority" | "flexible" | "grid";
  readonly thrifty?: boolean;
}

const LEADERS = 2;
const REPLICAS = 3;

/** The sweep's layouts: colocated or not, x majority(3, 5, 7), flexible(3, 5, 7), grid(4, 6, 9). */
export const LAYOUTS: readonly LayoutSpec[] = [true, false].flatMap((colocated) =>
  (
    [
      ["majority", 3],
      ["majority", 5],
      ["majority", 7],
      ["flexible", 3],
      ["flexible", 5],
      ["flexible", 7],
      ["grid", 4],
      ["grid", 6],
      ["grid", 9],
    ] as const
  ).map(([quorum, acceptors]) => ({
    name: `${colocated ? "colocated" : "separate"} ${quorum}${acceptors}`,
    colocated,
    acceptors,
    quorum,
    thrifty: quorum !== "majority",
  })),
);

export interface BuiltLayout {
  readonly nodes: NodeSpec[];
  readonly quorum: QuorumSystem;
  /** every node but the clients */
  readonly servers: string[];
  readonly clients: string[];
}

function quorumOf(spec: LayoutSpec, ids: string[]): QuorumSystem {
  const n = ids.length;
  switch (spec.quorum) {
    case "majority":
      return majority(ids);
    case "flexible": {
      // a small phase-2 quorum paid for by a large phase-1 quorum: 3/1, 4/2, 6/2
      const phase2 = n <= 3 ? 1 : 2;
      return flexible(ids, { phase1: n - phase2 + 1, phase2 });
    }
    case "grid": {
      const rows = n === 4 ? 2 : n === 6 ? 2 : 3;
      const cols = n / rows;
      return grid(
        Array.from({ length: rows }, (_, r) => ids.slice(r * cols, (r + 1) * cols)),
        { phase1: "row" },
      );
    }
  }
}

export function buildLayout(spec: LayoutSpec): BuiltLayout {
  const nodes: NodeSpec[] = [];
  let acceptorIds: string[];
  if (spec.colocated) {
    // like the runner's colocated clusters: n1.. host the acceptors, the first three a replica,
    // the first two a leader
    acceptorIds = Array.from({ length: spec.acceptors }, (_, i) => `n${i + 1}`);
    acceptorIds.forEach((id, i) => {
      const roles: Role[] = ["acceptor"];
      if (i < REPLICAS) roles.unshift("replica");
      if (i < LEADERS) roles.unshift("leader");
      nodes.push({ id, roles });
    });
  } else {
    for (let i = 1; i <= LEADERS; i++) nodes.push({ id: `l${i}`, roles: ["leader"] });
    for (let i = 1; i <= REPLICAS; i++) nodes.push({ id: `r${i}`, roles: ["replica"] });
    acceptorIds = Array.from({ length: spec.acceptors }, (_, i) => `a${i + 1}`);
    for (const id of acceptorIds) nodes.push({ id, roles: ["acceptor"] });
  }
  const servers = nodes.map((n) => n.id);
  const clients = ["c1", "c2", "c3"];
  for (const id of clients) nodes.push({ id, roles: ["client"] });
  return { nodes, quorum: quorumOf(spec, acceptorIds), servers, clients };
}

export type SweepFault =
  /** cut the active leader's node from these nodes (both ways); the rest stays connected */
  | { readonly kind: "cut"; readonly from: readonly string[] }
  /** crash this node; "@leader": the active leader's node */
  | { readonly kind: "crash"; readonly node: string };

export function describeSweepFault(f: SweepFault): string {
  return f.kind === "cut" ? `cut the leader from {${f.from.join(",")}}` : `crash ${f.node}`;
}

export interface FaultCaseOptions {
  readonly timing?: Partial<Timing>;
  /** liveness bound; defaultLivenessBoundMs(timing) by default */
  readonly withinMs?: number;
  /** how long the fault lasts; the bound plus one second by default */
  readonly faultMs?: number;
  /** builds each node incarnation (tests reintroduce old bugs through it) */
  readonly createNode?: (config: NodeConfig, start: NodeStart) => PaxosNode;
}

export interface FaultCaseResult {
  readonly leader: string | undefined;
  /** the longest stretch without a commit while the fault was in force and commits possible */
  readonly longestGapMs: number;
  /** whether the cluster could commit during the fault (else nothing was checked) */
  readonly checked: boolean;
  readonly liveness: Violation[];
  readonly safety: Violation[];
  readonly sim: Simulation;
}

const WARMUP_MS = 400;

export function runFaultCase(
  spec: LayoutSpec,
  fault: SweepFault,
  seed: number,
  o: FaultCaseOptions = {},
): FaultCaseResult {
  const layout = buildLayout(spec);
  const timing: Timing = { ...DEFAULT_TIMING, ...o.timing };
  const withinMs = o.withinMs ?? defaultLivenessBoundMs(timing);
  const faultMs = o.faultMs ?? withinMs + 1_000;
  const sim = new Simulation({
    nodes: layout.nodes,
    quorum: layout.quorum,
    seed,
    timing,
    leader: { thrifty: spec.thrifty ?? false },
    network: { link: { latency: { kind: "uniform", minMs: 0.5, maxMs: 1.5 } } },
    workload: { outstandingPerClient: 2, keyCount: 10, valueBytes: 8 },
    ...(o.createNode ? { createNode: o.createNode } : {}),
  });
  const log = new NetStateLog(sim);
  sim.runUntil(WARMUP_MS);
  const leader = sim.activeLeader();
  const start = sim.now;
  const end = start + faultMs;
  if (fault.kind === "cut") {
    if (leader !== undefined) {
      for (const other of fault.from.filter((id) => id !== leader)) {
        sim.network.block(leader, other);
        sim.network.block(other, leader);
      }
    }
  } else {
    const node = fault.node === "@leader" ? leader : fault.node;
    if (node !== undefined) sim.crash(node);
  }
  log.record();
  sim.runUntil(end);
  sim.heal();
  for (const id of layout.servers) if (!sim.isAlive(id)) sim.restart(id);
  log.record();
  const resumeMs = withinMs;
  sim.runUntil(end + resumeMs);
  // no message is lost here: a leader that keeps its quorum must not be deposed either
  const progress = log.check(withinMs, end + resumeMs, timing.leaderTimeoutMs);
  const window = progress.windows[0];
  return {
    leader,
    longestGapMs: window?.longestGapMs ?? 0,
    checked: window !== undefined,
    liveness: [
      ...progress.violations,
      ...checkCommitsResumed(sim, { healedAtMs: end, withinMs: resumeMs, minOps: 1 }),
    ],
    safety: checkSafety(sim),
    sim,
  };
}

/**
 * The faults a sweep plays for a layout: every subset of the other servers to cut the leader's
 * node from (all of them up to `maxCuts`, else that many drawn by `pick`), and a crash of each
 * server ("@leader" for the active leader's node, resolved when it fires).
 */
export function sweepFaults(
  spec: LayoutSpec,
  leaderGuess: string,
  maxCuts: number,
  pick: (n: number) => number,
): SweepFault[] {
  const { servers } = buildLayout(spec);
  const others = servers.filter((s) => s !== leaderGuess);
  const all = 2 ** others.length - 1;
  const masks: number[] = [];
  if (all <= maxCuts) for (let m = 1; m <= all; m++) masks.push(m);
  else {
    const seen = new Set<number>();
    // every single node and every "all but one", then random subsets
    for (let i = 0; i < others.length; i++) seen.add(1 << i).add(all ^ (1 << i));
    seen.add(all);
    while (seen.size < maxCuts) seen.add(1 + pick(all));
    masks.push(...seen);
  }
  const cuts: SweepFault[] = masks.map((m) => ({
    kind: "cut",
    from: others.filter((_, i) => (m >> i) & 1),
  }));
  const crashes: SweepFault[] = [
    { kind: "crash", node: "@leader" },
    ...others.map((node) => ({ kind: "crash", node }) as const),
  ];
  return [...cuts, ...crashes];
}
