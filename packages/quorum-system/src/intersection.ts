// Safety of (Flexible) Paxos rests on one property: every phase-1 quorum intersects every
// phase-2 quorum. checkIntersection() decides it exactly. The built-in systems know their own
// answer in closed form; any other QuorumSystem is checked by enumerating subsets.

import { QuorumConfigError } from "./errors.js";
import { ExplicitQuorumSystem } from "./explicit.js";
import { FlexibleQuorumSystem } from "./flexible.js";
import { GridQuorumSystem } from "./grid.js";
import { MajorityQuorumSystem } from "./majority.js";
import type { IntersectionResult, NodeId, QuorumSystem } from "./types.js";

/** Largest acceptor count the enumeration fallback accepts (2^20 subsets, about a second). */
export const MAX_ENUMERATION_ACCEPTORS = 20;

/** { safe: true }, or { safe: false } with a disjoint phase-1/phase-2 quorum pair as witness. */
export function checkIntersection(qs: QuorumSystem): IntersectionResult {
  // instanceof rather than `kind`: a foreign object claiming kind "grid" proves nothing.
  if (
    qs instanceof MajorityQuorumSystem ||
    qs instanceof FlexibleQuorumSystem ||
    qs instanceof GridQuorumSystem ||
    qs instanceof ExplicitQuorumSystem
  ) {
    return qs.checkIntersection();
  }
  return checkIntersectionByEnumeration(qs);
}

/**
 * Works for any QuorumSystem with at most MAX_ENUMERATION_ACCEPTORS acceptors, assuming it
 * is monotone (a superset of a quorum is a quorum), as every quorum system used by Paxos is.
 * Under monotonicity a phase-1 quorum S is disjoint from some phase-2 quorum iff the
 * complement of S is itself a phase-2 quorum, so one pass over all subsets S suffices.
 * The witness is then shrunk to minimal quorums so it is easy to read.
 */
export function checkIntersectionByEnumeration(qs: QuorumSystem): IntersectionResult {
  const acceptors = qs.acceptors;
  const n = acceptors.length;
  if (n > MAX_ENUMERATION_ACCEPTORS) {
    throw new QuorumConfigError(
      `checkIntersection: cannot check ${qs.describe()}: it has ${n} acceptors and is not a ` +
        `built-in system, and enumeration handles at most ${MAX_ENUMERATION_ACCEPTORS}`,
    );
  }
  const all = 2 ** n - 1;
  for (let mask = 0; mask <= all; mask++) {
    const s = members(acceptors, mask);
    if (!qs.isPhase1Quorum(s)) continue;
    const rest = members(acceptors, all & ~mask);
    if (!qs.isPhase2Quorum(rest)) continue;
    return {
      safe: false,
      phase1: shrink(s, (ids) => qs.isPhase1Quorum(ids)),
      phase2: shrink(rest, (ids) => qs.isPhase2Quorum(ids)),
    };
  }
  return { safe: true };
}

function members(acceptors: readonly NodeId[], mask: number): NodeId[] {
  const out: NodeId[] = [];
  for (let i = 0; i < acceptors.length; i++) if ((mask >>> i) & 1) out.push(acceptors[i]!);
  return out;
}

/** Drops members one by one while the set stays a quorum; the result is minimal. */
function shrink(ids: NodeId[], isQuorum: (ids: NodeId[]) => boolean): NodeId[] {
  let current = ids;
  for (const id of ids) {
    const without = current.filter((x) => x !== id);
    if (isQuorum(without)) current = without;
  }
  return current;
}
