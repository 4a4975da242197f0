// Seeded chaos: random fault schedules, the small clusters the safety tests sweep, and
// `runChaosCase(preset, seed)`, the one function both the tests and the replay tool call, so a
// failing seed reported by a test reruns bit for bit with `node .../replay.js <preset> <seed>`.

import { DEFAULT_TIMING, type Role, type Timing } from "@paxos/core";
import { flexible, grid, majority, type QuorumSystem } from "@paxos/quorum-system";
import { checkCommitsResumed, checkSafety, type Violation } from "./checkers.js";
import type { NodeSpec, SimulationConfig } from "./cluster.js";
import { applyFaults, type Fault } from "./faults.js";
import { defaultLivenessBoundMs, NetStateLog, type ProgressReport } from "./liveness.js";
import type { NetworkSpec } from "./network.js";
import { SimRng } from "./rng.js";
import { Simulation } from "./simulation.js";

export interface ChaosOptions {
  /** nodes that partitions split and crashes hit */
  readonly servers: readonly string[];
  /** client nodes: sometimes placed inside partition groups, rarely crashed */
  readonly clients?: readonly string[];
  /** faults start at or after this time */
  readonly fromMs: number;
  /** every fault is over at this time: healed, weather cleared, crashed nodes restarted */
  readonly healByMs: number;
  readonly maxLossRate?: number;
  readonly maxDuplicateRate?: number;
  readonly maxReorderRate?: number;
  /** most partition episodes (they do not overlap; each ends with a heal) */
  readonly maxPartitions?: number;
  /** most crashes (leader crashes mostly, sometimes any server, rarely a client) */
  readonly maxCrashes?: number;
}

/**
 * A random schedule: one "weather" (loss, duplication, reordering) for the whole fault window,
 * non-overlapping partition episodes (a random split of the servers, or the active leader cut
 * off), and crashes with restarts. Ends with `recoverAll` at healByMs.
 */
export function randomFaults(rng: SimRng, o: ChaosOptions): Fault[] {
  const faults: Fault[] = [];
  const { fromMs, healByMs } = o;
  const span = healByMs - fromMs;
  if (!(span > 0))
    throw new RangeError(`randomFaults: need fromMs < healByMs, got ${fromMs}, ${healByMs}`);
  const round = (t: number) => Math.round(t);
  faults.push({
    atMs: fromMs,
    kind: "weather",
    lossRate: rng.uniform(0, o.maxLossRate ?? 0.1),
    duplicateRate: rng.uniform(0, o.maxDuplicateRate ?? 0.1),
    reorderRate: rng.uniform(0, o.maxReorderRate ?? 0.2),
  });

  // Partition episodes, one after the other.
  const episodes = rng.int(0, o.maxPartitions ?? 3);
  let t = fromMs;
  for (let i = 0; i < episodes; i++) {
    const start = t + rng.uniform(0, span / (episodes + 1));
    const end = start + rng.uniform(span / 20, span / 2);
    if (end >= healByMs) break;
    const atMs = round(start);
    if (rng.chance(0.3)) {
      faults.push({ atMs, kind: "isolateLeader" });
    } else {
      faults.push({
        atMs,
        kind: "partition",
        groups: randomGroups(rng, o.servers, o.clients ?? []),
      });
    }
    faults.push({ atMs: round(end), kind: "heal" });
    t = end;
  }

  // Crashes, independent of the partitions.
  const crashes = rng.int(0, o.maxCrashes ?? 2);
  for (let i = 0; i < crashes; i++) {
    const atMs = round(rng.uniform(fromMs, healByMs - 1));
    const restartAtMs = Math.min(healByMs, round(atMs + rng.uniform(span / 30, span / 2)));
    const u = rng.next();
    const clients = o.clients ?? [];
    if (u < 0.65) faults.push({ atMs, kind: "crashLeader", restartAtMs });
    else if (u < 0.9 || clients.length === 0) {
      faults.push({ atMs, kind: "crash", node: rng.pick(o.servers), restartAtMs });
    } else faults.push({ atMs, kind: "crash", node: rng.pick(clients), restartAtMs });
  }

  faults.push({ atMs: healByMs, kind: "recoverAll" });
  // Stable sort by time keeps generation order for ties.
  return faults
    .map((f, i) => [f, i] as const)
    .sort((a, b) => a[0].atMs - b[0].atMs || a[1] - b[1])
    .map(([f]) => f);
}

/** Split the servers into 2 or 3 non-empty groups; clients join a random group half the time. */
function randomGroups(
  rng: SimRng,
  servers: readonly string[],
  clients: readonly string[],
): string[][] {
  const shuffled = rng.shuffle([...servers]);
  const k = shuffled.length >= 3 && rng.chance(0.3) ? 3 : 2;
  const groups: string[][] = Array.from({ length: k }, () => []);
  // one member each, so no group is empty; the rest at random
  shuffled.forEach((id, i) => {
    groups[i < k ? i : rng.below(k)]!.push(id);
  });
  if (rng.chance(0.5)) for (const c of clients) groups[rng.below(k)]!.push(c);
  return groups;
}

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
  readonly faults: readonly Fault[];
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
  const faults =
    schedule === "random"
      ? randomFaults(rng, { servers: p.servers, clients: p.clients, fromMs, healByMs })
      : splitBrainFaults(rng, p.servers, fromMs, healByMs);
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
 * A schedule built to split the brain of a cluster whose quorums do not intersect: cut the
 * servers into a minority holding the current leader and a majority, long enough for the
 * majority side to elect its own leader, with loss and reordering so slots are in flight at
 * the cut. Under intersecting quorums the minority side cannot commit and nothing goes wrong;
 * with phase1 = phase2 = 2 of 5 both sides commit different batches into the same slots.
 */
export function splitBrainFaults(
  rng: SimRng,
  servers: readonly string[],
  fromMs: number,
  healByMs: number,
): Fault[] {
  const shuffled = rng.shuffle([...servers]);
  const small = Math.max(1, Math.floor(shuffled.length / 2));
  const at = Math.round(rng.uniform(fromMs, fromMs + (healByMs - fromMs) / 3));
  const end = Math.round(rng.uniform(at + (healByMs - at) / 2, healByMs));
  return [
    {
      atMs: fromMs,
      kind: "weather",
      lossRate: rng.uniform(0, 0.05),
      duplicateRate: 0,
      reorderRate: rng.uniform(0, 0.1),
    },
    { atMs: at, kind: "partition", groups: [shuffled.slice(0, small), shuffled.slice(small)] },
    { atMs: end, kind: "heal" },
    { atMs: healByMs, kind: "recoverAll" },
  ];
}
