// The contract every quorum system satisfies. The Paxos engine only ever talks to this
// interface, so a new family of quorums (weighted, hierarchical, ...) can be plugged in
// without touching the engine; checkIntersection() then falls back to enumeration for it.

/** An acceptor's id. Plain strings keep configs, logs and wire messages readable. */
export type NodeId = string;

export type QuorumKind = "majority" | "flexible" | "grid" | "explicit";

export interface QuorumSystem {
  readonly kind: QuorumKind;
  /** Every acceptor, in a fixed order (targets and witnesses follow this order). */
  readonly acceptors: readonly NodeId[];
  /**
   * Do these acceptors form a phase-1 (prepare/promise) quorum? Unknown ids are ignored and
   * duplicates count once, so the engine can pass whatever set of p1b senders it holds.
   */
  isPhase1Quorum(ackers: Iterable<NodeId>): boolean;
  /** Same for phase 2 (accept/accepted). */
  isPhase2Quorum(ackers: Iterable<NodeId>): boolean;
  /** A minimal phase-2 quorum (drop any member and it is no longer one), for thrifty sending. Deterministic. */
  phase2Targets(): NodeId[];
  /** A minimal phase-1 quorum. Deterministic. */
  phase1Targets(): NodeId[];
  /** For humans and logs, e.g. "flexible(n=5, phase1=4, phase2=2)". */
  describe(): string;
}

/** A phase-1 quorum and a phase-2 quorum that share no acceptor: proof that a system is unsafe. */
export interface QuorumWitness {
  phase1: NodeId[];
  phase2: NodeId[];
}

export type IntersectionResult = { safe: true } | ({ safe: false } & QuorumWitness);

/** Free-function form of qs.describe(), handy in map() and template strings. */
export function describe(qs: QuorumSystem): string {
  return qs.describe();
}
