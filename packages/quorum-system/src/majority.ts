// Classic Paxos: every quorum, in both phases, is a strict majority. Any two majorities
// intersect, so this system is always safe and needs no allowUnsafe.

import { hasAtLeast, indexAcceptors } from "./acceptors.js";
import type { IntersectionResult, NodeId, QuorumSystem } from "./types.js";

export class MajorityQuorumSystem implements QuorumSystem {
  readonly kind = "majority";
  readonly acceptors: readonly NodeId[];
  /** floor(n/2) + 1, the size of every minimal quorum in both phases. */
  readonly quorumSize: number;
  readonly #index: Map<NodeId, number>;

  constructor(acceptors: NodeId[]) {
    this.#index = indexAcceptors("majority", acceptors);
    this.acceptors = Object.freeze([...acceptors]);
    this.quorumSize = Math.floor(acceptors.length / 2) + 1;
  }

  isPhase1Quorum(ackers: Iterable<NodeId>): boolean {
    return hasAtLeast(this.#index, ackers, this.quorumSize);
  }

  isPhase2Quorum(ackers: Iterable<NodeId>): boolean {
    return hasAtLeast(this.#index, ackers, this.quorumSize);
  }

  phase1Targets(): NodeId[] {
    return this.acceptors.slice(0, this.quorumSize);
  }

  phase2Targets(): NodeId[] {
    return this.acceptors.slice(0, this.quorumSize);
  }

  /** Two sets of floor(n/2)+1 out of n always share a member. */
  checkIntersection(): IntersectionResult {
    return { safe: true };
  }

  describe(): string {
    return `majority(n=${this.acceptors.length}, quorum=${this.quorumSize})`;
  }
}

/** Majority quorums in both phases: phase1 = phase2 = floor(n/2) + 1. */
export function majority(acceptors: NodeId[]): MajorityQuorumSystem {
  return new MajorityQuorumSystem(acceptors);
}
