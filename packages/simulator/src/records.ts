// What a simulation records as it runs: the client history, each replica incarnation's events,
// leadership changes, faults and message counters. The checkers read these.

import type { Ballot, ClientOperation, NodeEvent } from "@paxos/core";
import type { LatencySummary } from "./stats.js";

/** One client operation as the client saw it; `clientId` is `${node}/${incarnation}`. */
export interface HistoryEntry extends ClientOperation {
  /** the client node */
  readonly node: string;
  /** submitted by the workload (true) or by a test through submit() (false) */
  readonly auto: boolean;
}

/** What one incarnation of a replica did, for the checkers. */
export interface ReplicaRun {
  readonly node: string;
  readonly incarnation: number;
  readonly startedAt: number;
  crashedAt: number | null;
  /** when it last applied a slot (or installed a snapshot); null if never */
  lastAppliedAt: number | null;
  /** its slotApplied, executed and snapshotInstalled events, in emission order */
  readonly events: NodeEvent[];
}

export interface LeadershipChange {
  readonly atMs: number;
  readonly node: string;
  readonly incarnation: number;
  readonly ballot: Ballot;
  readonly active: boolean;
}

export interface FaultRecord {
  readonly atMs: number;
  readonly what: string;
}

export interface MessageCounters {
  /** handed to the network by nodes */
  sent: number;
  /** received by a live node */
  delivered: number;
  /** lost on a lossy link */
  lost: number;
  /** cut by a partition, at send or at arrival */
  partitioned: number;
  /** arrived at a crashed node */
  toDeadNode: number;
  /** extra copies made by duplication */
  duplicated: number;
  /** delivered to a node with no role taking that message type */
  misrouted: number;
  /** frames handed to the network: one per drain and destination */
  frames: number;
}

export interface SimulationStats {
  readonly fromMs: number;
  readonly toMs: number;
  readonly opsInvoked: number;
  readonly opsCompleted: number;
  /** completed operations per simulated second over [fromMs, toMs] */
  readonly throughputOpsPerSec: number;
  /** latency of the operations completed in the window, in simulated ms */
  readonly latencyMs: LatencySummary;
  /** over the whole run so far */
  readonly messages: Readonly<MessageCounters>;
  /** messages lost, cut or sent to dead nodes */
  readonly messagesDropped: number;
  readonly events: number;
  /** over the whole run so far, as the engine saw it */
  readonly engine: {
    /** slots the replica that applied the most applied (over its incarnations) */
    readonly slotsApplied: number;
    /** commands in those slots (no-op slots hold none) */
    readonly commandsApplied: number;
    readonly commandsPerSlot: number;
    /** messages sent by cluster nodes (a node that is only a client excluded) */
    readonly nodeMessagesSent: number;
  };
}
