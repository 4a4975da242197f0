// Seeded chaos: the small clusters the safety tests sweep, the two nemesis mixes they draw
// from the one chaos generator (chaos/schedule.ts, the runner's too), and
// `runChaosCase(preset, seed)`, the one function both the tests and the replay tool call, so a
// failing seed reported by a test reruns bit for bit with `node .../replay.js <preset> <seed>`.

import { DEFAULT_TIMING, type Role, type Timing } from "@paxos/core";
import { flexible, grid, majority, type QuorumSystem } from "@paxos/quorum-system";
import { type ChaosFault, type ChaosScheduleOptions, chaosSchedule } from "./chaos/schedule.js";
import { checkCommitsResumed, checkSafety, type Violation } from "./checkers.js";
import type { NodeSpec, SimulationConfig } from "./cluster.js";
import { applyFaults } from "./faults.js";
import { defaultLivenessBoundMs, NetStateLog, type ProgressReport } from "./liveness.js";
import type { NetworkSpec } from "./network.js";
import { SimRng } from "./rng.js";
import { Simulation } from "./simulation.js";

// ---------------------------------------------------------------- clusters

export interface ClusterPreset {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly quorum: QuorumSystem;
  /** nodes hosting replica/leader/acceptor roles */
  readonly servers: readonly string[];
  readonly clients: readonly string[];
}

const SERVER: readonly Role[] = ["replica", "leader", "acceptor"];

function preset(
  name: string,
  servers: NodeSpec[],
  clients: number,
  quorum: QuorumSystem,
): ClusterPreset {
  const clientNodes: NodeSpec[] = Array.from({ length: clients }, (_, i) => ({
    id: `c${i + 1}`,
    roles: ["client"],
  }));
  return {
    name,
    nodes: [...servers, ...clientNodes],
    quorum,
    servers: servers.map((s) => s.id),
    clients: clientNodes.map((c) => c.id),
  };
}

function servers(n: number): NodeSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: `n${i + 1}`, roles: SERVER }));
}

/**
 * The clusters the safety sweeps use, two clients each.
 * - majority3, majority5: n servers, each replica + leader + acceptor;
 * - flexible5: 5 servers, phase-1 quorums of 4, phase-2 quorums of 2;
 * - grid9: 3 full servers plus 6 acceptor-only nodes, a 3x3 grid (a row is a phase-1 quorum,
 *   one per row a phase-2 quorum);
 * - unsafe5: 5 servers, phase1 = phase2 = 2 (non-intersecting, built with allowUnsafe) - the
 *   checkers must catch it.
 */
export const PRESETS = {
  majority3: () => {
    const s = servers(3);
    return preset("majority3", s, 2, majority(s.map((x) => x.id)));
  },
  majority5: () => {
    const s = servers(5);
    return preset("majority5", s, 2, majority(s.map((x) => x.id)));
  },
  flexible5: () => {
    const s = servers(5);
    return preset(
      "flexible5",
      s,
      2,
      flexible(
        s.map((x) => x.id),
        { phase1: 4, phase2: 2 },
      ),
    );
  },
  grid9: () => {
    const full = servers(3);
    const acceptorsOnly: NodeSpec[] = Array.from({ length: 6 }, (_, i) => ({
      id: `a${i + 4}`,
      roles: ["acceptor"],
    }));
    const ids = [...full, ...acceptorsOnly].map((x) => x.id);
    // rows mix full servers and acceptor-only nodes, so one row is not just "the servers"
    const rows = [
      [ids[0]!, ids[3]!, ids[4]!],
      [ids[1]!, ids[5]!, ids[6]!],
      [ids[2]!, ids[7]!, ids[8]!],
    ];
    const p = preset("grid9", full, 2, grid(rows, { phase1: "row" }));
    return { ...p, nodes: [...full, ...acceptorsOnly, ...p.nodes.slice(3)], servers: ids };
  },
  unsafe5: () => {
    const s = servers(5);
    const q = flexible(
      s.map((x) => x.id),
      { phase1: 2, phase2: 2, allowUnsafe: true },
    );
    return preset("unsafe5", s, 2, q);
  },
} satisfies Record<string, () => ClusterPreset>;

export type PresetName = keyof typeof PRESETS;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/**
 * Timeouts scaled to millisecond links so that a couple of simulated seconds hold several
 * elections and recoveries. The defaults (50 ms heartbeats, 300 ms leader timeout, 4 s client
 * backoff cap) are tuned for real networks and would make each seed several times longer.
 */
export const CHAOS_TIMING: Partial<Timing> = {
  heartbeatIntervalMs: 20,
  leaderTimeoutMs: 100,
  electionBackoffMaxMs: 400,
  p1aRetryMs: 40,
  p2aRetryMs: 40,
  proposeRetryMs: 60,
  holeTimeoutMs: 60,
  clientRetryMs: 100,
  clientRetryMaxMs: 400,
};

export const CHAOS_NETWORK: NetworkSpec = {
  link: { latency: { kind: "uniform", minMs: 1, maxMs: 4 }, reorderDelayMs: 15 },
};

export type ScheduleKind = "random" | "split-brain";

export interface ChaosCaseOptions {
  readonly schedule?: ScheduleKind;
  /** faults happen in [fromMs, healByMs]; defaults 100 and 1500 */
  readonly fromMs?: number;
  readonly healByMs?: number;
  /** commits must resume within this long after the heal; the run ends then. Default 1000. */
  readonly resumeWithinMs?: number;
  /** operations that must complete after the heal; default 3 */
  readonly minOpsAfterHeal?: number;
  /**
   * during faults that leave a quorum, a leader candidate and a reachable replica connected,
   * the longest stretch allowed without a commit; defaultLivenessBoundMs(CHAOS_TIMING) by
   * default (0: do not check)
   */
  readonly progressWithinMs?: number;
  /** debugging hooks passed to the Simulation */
  readonly onDeliver?: SimulationConfig["onDeliver"];
  readonly onDrop?: SimulationConfig["onDrop"];
}

export interface ChaosCaseResult {
  readonly preset: PresetName;
  readonly seed: number;
  readonly schedule: ScheduleKind;
  readonly sim: Simulation;
  readonly faults: readonly ChaosFault[];
  readonly healedAtMs: number;
  /** agreement, validity, at-most-once, order, results */
  readonly safety: Violation[];
  /** commits went on during faults that allowed them, and resumed after the heal */
  readonly liveness: Violation[];
  /** the during-fault check: its windows (and their longest gaps) */
  readonly progress: ProgressReport;
}

/**
 * One seeded chaos run: build the preset cluster with two closed-loop clients (2 operations in
 * flight each, 5 keys so operations conflict), play a fault schedule, run until the resume
 * bound, check. Everything is derived from `seed`.
 */
export function runChaosCase(
  name: PresetName,
  seed: number,
  options: ChaosCaseOptions = {},
): ChaosCaseResult {
  const p = PRESETS[name]();
  const schedule = options.schedule ?? "random";
  const fromMs = options.fromMs ?? 100;
  const healByMs = options.healByMs ?? 1500;
  const resumeWithinMs = options.resumeWithinMs ?? 1000;
  // Engine knobs vary with the seed too, so the sweep covers thrifty phase 2, tiny batches and
  // windows, and small leader decision caches, not just the defaults.
  const knobs = SimRng.fromSeed(seed).fork("chaos/config");
  const small = knobs.chance(0.5);
  const sim = new Simulation({
    nodes: p.nodes,
    quorum: p.quorum,
    seed,
    timing: CHAOS_TIMING,
    // small retention and chunks so catch-up by snapshot and in several chunks both happen
    replica: {
      retainSlots: 40,
      catchupChunk: 16,
      window: knobs.pick([2, 8, 64]),
      maxBatch: knobs.pick([1, 4, 64]),
      // frequent snapshots, so acceptors forget and disks compact while nodes crash
      snapshotEverySlots: knobs.pick([8, 30, 2_000]),
      maxBatchBytes: small ? 1_500 : knobs.pick([800, 1024 * 1024]),
    },
    leader: {
      thrifty: knobs.chance(0.5),
      retainDecisions: knobs.pick([8, 4_096]),
      persistDecidedEverySlots: knobs.pick([4, 512]),
    },
    // small messages, so p1b, catch-up and snapshot transfers go in several chunks
    limits: small
      ? { maxMessageBytes: 4_096, maxValueBytes: 512 }
      : { maxMessageBytes: 16 * 1024 * 1024, maxValueBytes: 4 * 1024 * 1024 },
    compactAfterRecords: knobs.pick([10, 100, 1_000]),
    network: CHAOS_NETWORK,
    workload: { outstandingPerClient: 2, keyCount: 5, valueBytes: 4 },
    ...(options.onDeliver ? { onDeliver: options.onDeliver } : {}),
    ...(options.onDrop ? { onDrop: options.onDrop } : {}),
  });
  const rng = sim.rng.fork("chaos");
  const faults = chaosSchedule(rng, SCHEDULES[schedule](p, fromMs, healByMs));
  const log = new NetStateLog(sim);
  applyFaults(sim, faults, log);
  sim.runUntil(healByMs + resumeWithinMs);
  const withinMs =
    options.progressWithinMs ?? defaultLivenessBoundMs({ ...DEFAULT_TIMING, ...CHAOS_TIMING });
  const progress = withinMs > 0 ? log.check(withinMs, healByMs) : { violations: [], windows: [] };
  return {
    preset: name,
    seed,
    schedule,
    sim,
    faults,
    healedAtMs: healByMs,
    safety: checkSafety(sim),
    liveness: [
      ...progress.violations,
      ...checkCommitsResumed(sim, {
        healedAtMs: healByMs,
        withinMs: resumeWithinMs,
        minOps: options.minOpsAfterHeal ?? 3,
      }),
    ],
    progress,
  };
}

/**
 * The sweeps' two nemesis mixes over the fault window [fromMs, healByMs].
 * - random: every nemesis but the slow link's long delays: crashes of any node (servers of
 *   every role, now and then a client) and of the active leader, at most two down at once;
 *   partitions into halves (clients sometimes inside them), the leader cut off, a bridge node;
 *   loss, duplication and reordering on every link ("weather") or loss on one node's links.
 * - split-brain: built to split the brain of a cluster whose quorums do not intersect: long
 *   partitions into a minority and a majority (long enough for the side without the leader to
 *   elect its own), with mild loss and reordering so slots are in flight at the cut. Under
 *   intersecting quorums the minority side cannot commit and nothing goes wrong; with
 *   phase1 = phase2 = 2 of 5 both sides commit different batches into the same slots.
 */
export const SCHEDULES: Record<
  ScheduleKind,
  (p: ClusterPreset, fromMs: number, healByMs: number) => ChaosScheduleOptions
> = {
  random: (p, fromMs, healByMs) => ({
    nodes: p.servers,
    clients: p.clients,
    startMs: fromMs,
    healByMs,
    meanIntervalMs: (healByMs - fromMs) / 10,
    quietMs: 0,
    faultDurationMs: [(healByMs - fromMs) / 30, (healByMs - fromMs) / 2],
    intensity: { slowMs: [5, 20], loss: [0, 0.2], duplicate: [0, 0.2], reorder: [0, 0.3] },
    weights: {
      crash: 1,
      killLeader: 2,
      partitionHalves: 1.5,
      isolateLeader: 1,
      bridge: 0.5,
      weather: 8,
      lossyLink: 1,
      slowLink: 1,
      duplicate: 0.5,
      reorder: 0.5,
    },
    maxConcurrentCrashes: 2,
  }),
  "split-brain": (p, fromMs, healByMs) => ({
    nodes: p.servers,
    startMs: fromMs,
    healByMs,
    meanIntervalMs: (healByMs - fromMs) / 8,
    quietMs: 0,
    faultDurationMs: [(healByMs - fromMs) / 2, healByMs - fromMs],
    intensity: { slowMs: [0, 0], loss: [0, 0.05], duplicate: [0, 0], reorder: [0, 0.1] },
    weights: { partitionHalves: 3, weather: 1 },
    maxConcurrentCrashes: 0,
  }),
};
