// Quorums listed by hand: any set of ackers containing one of the listed sets is a quorum.
// This covers every monotone quorum system, so it is the escape hatch for layouts the other
// constructors cannot express (e.g. per-datacenter quorums) and the reference for tests.

import { indexAcceptors } from "./acceptors.js";
import { formatSet, QuorumConfigError, show, UnsafeQuorumError } from "./errors.js";
import type { IntersectionResult, NodeId, QuorumSystem, QuorumWitness } from "./types.js";

export interface ExplicitOptions {
  /** The phase-1 quorums (any superset is one too). */
  phase1: NodeId[][];
  /** The phase-2 quorums (any superset is one too). */
  phase2: NodeId[][];
  /** Build the system even if some phase-1 set is disjoint from some phase-2 set. */
  allowUnsafe?: boolean;
}

type Phase = "phase1" | "phase2";

/** Listing every quorum makes describe() unreadable past this many members in total. */
const DESCRIBE_LIMIT = 40;

export class ExplicitQuorumSystem implements QuorumSystem {
  readonly kind = "explicit";
  readonly acceptors: readonly NodeId[];
  /** The listed sets, each ordered as in `acceptors`. */
  readonly phase1Sets: readonly (readonly NodeId[])[];
  readonly phase2Sets: readonly (readonly NodeId[])[];
  readonly #witness: QuorumWitness | undefined;
  readonly #phase1Target: readonly NodeId[];
  readonly #phase2Target: readonly NodeId[];

  constructor(options: ExplicitOptions, acceptors?: NodeId[]) {
    if (typeof options !== "object" || options === null) {
      throw new QuorumConfigError(
        `explicit: options { phase1, phase2 } are required, got ${show(options)}`,
      );
    }
    checkShape("phase1", options.phase1);
    checkShape("phase2", options.phase2);
    // Without an explicit acceptor list, everyone named in some set is an acceptor, in order
    // of first appearance (phase-1 sets first).
    const all = acceptors ?? [...new Set([...options.phase1.flat(), ...options.phase2.flat()])];
    const index = indexAcceptors("explicit", all);
    this.acceptors = Object.freeze([...all]);
    this.phase1Sets = normalize("phase1", options.phase1, index);
    this.phase2Sets = normalize("phase2", options.phase2, index);
    this.#phase1Target = smallest(this.phase1Sets);
    this.#phase2Target = smallest(this.phase2Sets);
    // Exact: quorums are supersets of listed sets, so two disjoint quorums exist iff two
    // disjoint listed sets do.
    this.#witness = findDisjoint(this.phase1Sets, this.phase2Sets);
    if (this.#witness !== undefined && options.allowUnsafe !== true) {
      throw new UnsafeQuorumError(this.#baseDescription(), this.#witness);
    }
  }

  isPhase1Quorum(ackers: Iterable<NodeId>): boolean {
    return containsOne(this.phase1Sets, ackers);
  }

  isPhase2Quorum(ackers: Iterable<NodeId>): boolean {
    return containsOne(this.phase2Sets, ackers);
  }

  phase1Targets(): NodeId[] {
    return [...this.#phase1Target];
  }

  phase2Targets(): NodeId[] {
    return [...this.#phase2Target];
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
    const n = this.acceptors.length;
    const members = [...this.phase1Sets, ...this.phase2Sets].reduce((sum, s) => sum + s.length, 0);
    if (members > DESCRIBE_LIMIT) {
      return `explicit(n=${n}, ${this.phase1Sets.length} phase-1 sets, ${this.phase2Sets.length} phase-2 sets)`;
    }
    const list = (sets: readonly (readonly NodeId[])[]) => `[${sets.map(formatSet).join(", ")}]`;
    return `explicit(n=${n}, phase1=${list(this.phase1Sets)}, phase2=${list(this.phase2Sets)})`;
  }
}

/** Quorums given as lists of sets; acceptors default to everyone named in some set. */
export function explicit(options: ExplicitOptions, acceptors?: NodeId[]): ExplicitQuorumSystem {
  return new ExplicitQuorumSystem(options, acceptors);
}

/** Catches non-arrays and empty sets before they are used to derive the acceptor list. */
function checkShape(phase: Phase, sets: unknown): asserts sets is NodeId[][] {
  if (!Array.isArray(sets)) {
    throw new QuorumConfigError(`explicit: ${phase} must be a list of sets, got ${show(sets)}`);
  }
  if (sets.length === 0) throw new QuorumConfigError(`explicit: ${phase} lists no sets`);
  for (let s = 0; s < sets.length; s++) {
    const set: unknown = sets[s];
    if (!Array.isArray(set)) {
      throw new QuorumConfigError(`explicit: ${phase} set ${s} is ${show(set)}, not a list of ids`);
    }
    if (set.length === 0) throw new QuorumConfigError(`explicit: ${phase} set ${s} is empty`);
    for (const id of set) {
      if (typeof id !== "string") {
        throw new QuorumConfigError(
          `explicit: ${phase} set ${s} contains ${show(id)}, not a string id`,
        );
      }
    }
  }
}

/** Rejects unknown and repeated members; orders each set like the acceptor list. */
function normalize(
  phase: Phase,
  sets: NodeId[][],
  index: ReadonlyMap<NodeId, number>,
): readonly (readonly NodeId[])[] {
  return Object.freeze(
    sets.map((set, s) => {
      const seen = new Set<NodeId>();
      for (const id of set) {
        if (!index.has(id)) {
          throw new QuorumConfigError(
            `explicit: ${phase} set ${s} names unknown acceptor ${show(id)}`,
          );
        }
        if (seen.has(id))
          throw new QuorumConfigError(`explicit: ${phase} set ${s} lists ${show(id)} twice`);
        seen.add(id);
      }
      return Object.freeze([...set].sort((a, b) => index.get(a)! - index.get(b)!));
    }),
  );
}

/**
 * The first listed set of smallest size. It is a minimal quorum: a proper subset that was
 * still a quorum would contain some listed set, which would then be smaller still.
 */
function smallest(sets: readonly (readonly NodeId[])[]): readonly NodeId[] {
  let best = sets[0]!;
  for (const set of sets) if (set.length < best.length) best = set;
  return best;
}

function findDisjoint(
  phase1: readonly (readonly NodeId[])[],
  phase2: readonly (readonly NodeId[])[],
): QuorumWitness | undefined {
  for (const a of phase1) {
    const inA = new Set(a);
    for (const b of phase2) {
      if (!b.some((id) => inA.has(id))) return { phase1: [...a], phase2: [...b] };
    }
  }
  return undefined;
}

function containsOne(sets: readonly (readonly NodeId[])[], ackers: Iterable<NodeId>): boolean {
  const have: ReadonlySet<NodeId> = ackers instanceof Set ? ackers : new Set(ackers);
  for (const set of sets) {
    let all = true;
    for (const id of set) {
      if (!have.has(id)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}
