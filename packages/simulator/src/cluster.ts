// What a simulation is built from: the cluster description and its validation.

import {
  type LeaderOptions,
  type Limits,
  type Message,
  type NodeConfig,
  type NodeStart,
  type PaxosNode,
  type ReplicaOptions,
  ROLES,
  type Role,
  type Timing,
} from "@paxos/core";
import type { QuorumSystem } from "@paxos/quorum-system";
import type { NetworkSpec } from "./network.js";
import type { ClientOperations, WorkloadSpec } from "./workload.js";

export interface NodeSpec {
  readonly id: string;
  readonly roles: readonly Role[];
}

export interface SimulationConfig {
  readonly nodes: readonly NodeSpec[];
  /** the acceptors are its `acceptors`; each must be a node with the acceptor role */
  readonly quorum: QuorumSystem;
  readonly timing?: Partial<Timing>;
  readonly replica?: Partial<ReplicaOptions>;
  readonly leader?: Partial<LeaderOptions>;
  readonly limits?: Partial<Limits>;
  /**
   * Compact a node's disk as a real host does: once its log holds more than this many records,
   * replace them by the node's checkpoint() (the latest replica snapshot is kept apart, as
   * the host keeps it in its own file). 1,000 by default; chaos runs use small values so
   * compaction interleaves with crashes and restarts.
   */
  readonly compactAfterRecords?: number;
  /** 1 ms constant links, no faults, when absent */
  readonly network?: NetworkSpec;
  /** closed-loop clients on every node with the client role; none when absent */
  readonly workload?: WorkloadSpec;
  /**
   * where each client incarnation's operations come from (key distributions, value sizes of
   * the caller's choosing); the toolkit's OperationGenerator over uniform keys when absent
   */
  readonly operations?: (clientId: string, nodeId: string) => ClientOperations;
  readonly seed: number;
  /**
   * Livelock guard: a run that processes this many events without virtual time advancing
   * throws (a node asking to be woken "now" forever). 1,000,000 by default.
   */
  readonly maxEventsPerInstant?: number;
  /**
   * Virtual time steps per ms: every link delay is rounded to a multiple of 1/timeResolution
   * ms. The default, 1024, is a power of two, so every clock value is a dyadic fraction and
   * `now + timeoutMs` and `(now + timeoutMs) - now` are exact in floating point. That matters:
   * core compares timers both ways (`nextWakeAt = t + timeout` but `now - t >= timeout` in
   * Replica.tick), and with arbitrary fractional times the two disagree for ~3% of values, so
   * a node woken at nextWakeAt() does not fire the timer and asks to be woken at the same
   * instant forever. 0 keeps times continuous (and exposes that bug).
   */
  readonly timeResolution?: number;
  /**
   * Keep every replica's slotApplied / executed / snapshotInstalled events in `replicaRuns`
   * (true by default; the safety checkers read them). A long benchmark run may turn it off to
   * keep memory flat.
   */
  readonly recordReplicaEvents?: boolean;
  /**
   * Modelled CPU time of one host turn: `fixedUs` plus `perMessageUs` per message received or
   * sent. While a node is in a turn what reaches it waits for its next turn, so under load
   * turns take in more at once and batches grow, as on real processes. Zero by default: a turn
   * takes no time and only what arrives at one instant shares a turn.
   */
  readonly hostTurn?: { readonly fixedUs?: number; readonly perMessageUs?: number };
  /**
   * Builds each node incarnation; `new PaxosNode(config, start)` by default. For tests and
   * benchmarks of the simulator itself (e.g. trivial nodes that measure its own overhead).
   */
  readonly createNode?: (config: NodeConfig, start: NodeStart) => PaxosNode;
  /** debugging hook: sees every message a live node receives (slows the run down a little) */
  readonly onDeliver?: (timeMs: number, from: string, to: string, message: Message) => void;
  /** debugging hook: sees every message that is lost, cut or sent to a crashed node */
  readonly onDrop?: (
    timeMs: number,
    from: string,
    to: string,
    message: Message,
    reason: DropReason,
  ) => void;
}

export type DropReason = "lost" | "partitioned" | "deadNode";

export class SimulationConfigError extends Error {
  override readonly name = "SimulationConfigError";
}

/** Throws a SimulationConfigError naming the problem. */
export function validate(config: SimulationConfig): void {
  if (!Array.isArray(config.nodes) || config.nodes.length === 0) {
    throw new SimulationConfigError("nodes: at least one node is needed");
  }
  const ids = new Set<string>();
  const acceptorNodes = new Set<string>();
  let replicas = 0;
  let leaders = 0;
  let clients = 0;
  config.nodes.forEach((n, i) => {
    if (typeof n.id !== "string" || n.id === "") {
      throw new SimulationConfigError(`nodes[${i}].id must be a non-empty string`);
    }
    if (ids.has(n.id)) throw new SimulationConfigError(`nodes[${i}]: duplicate id "${n.id}"`);
    ids.add(n.id);
    if (!Array.isArray(n.roles) || n.roles.length === 0) {
      throw new SimulationConfigError(`nodes[${i}] (${n.id}): roles must be a non-empty list`);
    }
    for (const r of n.roles) {
      if (!ROLES.includes(r)) {
        throw new SimulationConfigError(`nodes[${i}] (${n.id}): unknown role "${String(r)}"`);
      }
    }
    if (n.roles.includes("acceptor")) acceptorNodes.add(n.id);
    if (n.roles.includes("replica")) replicas++;
    if (n.roles.includes("leader")) leaders++;
    if (n.roles.includes("client")) clients++;
  });
  const acceptors = config.quorum.acceptors;
  for (const a of acceptors) {
    if (!acceptorNodes.has(a)) {
      throw new SimulationConfigError(
        `quorum acceptor "${a}" is not a node with the acceptor role (${config.quorum.describe()})`,
      );
    }
  }
  for (const a of acceptorNodes) {
    if (!acceptors.includes(a)) {
      throw new SimulationConfigError(
        `node "${a}" has the acceptor role but is not an acceptor of ${config.quorum.describe()}`,
      );
    }
  }
  if (leaders === 0) throw new SimulationConfigError("no node has the leader role");
  if (replicas === 0) throw new SimulationConfigError("no node has the replica role");
  if (config.workload && clients === 0) {
    throw new SimulationConfigError("a workload needs at least one node with the client role");
  }
}
