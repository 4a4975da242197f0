// Flexible Paxos (Howard et al., 2016): phase-1 and phase-2 quorums may have different sizes
// as long as every phase-1 quorum meets every phase-2 quorum, i.e. phase1 + phase2 > n.
// Small phase-2 quorums make the common case (steady-state accepts) cheap; the price is paid
// in the rare leader change.

import { hasAtLeast, indexAcceptors } from "./acceptors.js";
import { QuorumConfigError, show, UnsafeQuorumError } from "./errors.js";
import type { IntersectionResult, NodeId, QuorumSystem, QuorumWitness } from "./types.js";

export interface FlexibleOptions {
  /** Size of a phase-1 quorum, an integer in 1..n. */
  phase1: number;
  /** Size of a phase-2 quorum, an integer in 1..n. */
  phase2: number;
  /** Build the system even when phase1 + phase2 <= n (it then violates safety). */
  allowUnsafe?: boolean;
}

function checkSize(name: string, value: unknown, n: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new QuorumConfigError(`flexible: ${name} = ${show(value)} is not an integer in 1..${n}`);
  }
  if (value < 1 || value > n) {
    throw new QuorumConfigError(`flexible: ${name} = ${value} is out of range 1..${n}`);
  }
  return value;
}

export class FlexibleQuorumSystem implements QuorumSystem {
  readonly kind = "flexible";
  readonly acceptors: readonly NodeId[];
  readonly phase1: number;
  readonly phase2: number;
  readonly #index: Map<NodeId, number>;
  readonly #witness: QuorumWitness | undefined;

  constructor(acceptors: NodeId[], options: FlexibleOptions) {
    this.#index = indexAcceptors("flexible", acceptors);
    this.acceptors = Object.freeze([...acceptors]);
    const n = acceptors.length;
    if (typeof options !== "object" || options === null) {
      throw new QuorumConfigError(
        `flexible: options { phase1, phase2 } are required, got ${show(options)}`,
      );
    }
    this.phase1 = checkSize("phase1", options.phase1, n);
    this.phase2 = checkSize("phase2", options.phase2, n);
    // With p1 + p2 <= n the first p1 and the last p2 acceptors are disjoint quorums; with
    // p1 + p2 > n any two such sets overlap by pigeonhole. So this check is exact.
    this.#witness =
      this.phase1 + this.phase2 > n
        ? undefined
        : { phase1: acceptors.slice(0, this.phase1), phase2: acceptors.slice(n - this.phase2) };
    if (this.#witness !== undefined && options.allowUnsafe !== true) {
      throw new UnsafeQuorumError(this.#baseDescription(), this.#witness);
    }
  }

  isPhase1Quorum(ackers: Iterable<NodeId>): boolean {
    return hasAtLeast(this.#index, ackers, this.phase1);
  }

  isPhase2Quorum(ackers: Iterable<NodeId>): boolean {
    return hasAtLeast(this.#index, ackers, this.phase2);
  }

  phase1Targets(): NodeId[] {
    return this.acceptors.slice(0, this.phase1);
  }

  phase2Targets(): NodeId[] {
    return this.acceptors.slice(0, this.phase2);
  }

  checkIntersection(): IntersectionResult {
    const w = this.#witness;
    return w === undefined
      ? { safe: true }
      : { safe: false, phase1: [...w.phase1], phase2: [...w.phase2] };
  }

  describe(): string {
    return this.#witness === undefined
      ? this.#baseDescription()
      : `${this.#baseDescription().slice(0, -1)}, unsafe)`;
  }

  #baseDescription(): string {
    return `flexible(n=${this.acceptors.length}, phase1=${this.phase1}, phase2=${this.phase2})`;
  }
}

/** Threshold quorums of different sizes per phase; refused unless phase1 + phase2 > n (or allowUnsafe). */
export function flexible(acceptors: NodeId[], options: FlexibleOptions): FlexibleQuorumSystem {
  return new FlexibleQuorumSystem(acceptors, options);
}
