// Shared plumbing for the concrete systems: validating an acceptor list once, at construction,
// and the counting loop that runs on every p1b/p2b. Quorum checks are the engine's hot path,
// so they work on a precomputed id -> position Map and small typed arrays, never on strings.

import { QuorumConfigError, show } from "./errors.js";
import type { NodeId } from "./types.js";

/** Checks the list is non-empty, all strings, no duplicates; returns id -> position. */
export function indexAcceptors(where: string, acceptors: readonly NodeId[]): Map<NodeId, number> {
  if (!Array.isArray(acceptors)) {
    throw new QuorumConfigError(
      `${where}: acceptors must be an array of ids, got ${show(acceptors)}`,
    );
  }
  if (acceptors.length === 0) throw new QuorumConfigError(`${where}: acceptor list is empty`);
  const index = new Map<NodeId, number>();
  for (let i = 0; i < acceptors.length; i++) {
    const id: unknown = acceptors[i];
    if (typeof id !== "string") {
      throw new QuorumConfigError(`${where}: acceptor ${i} is ${show(id)}, not a string id`);
    }
    if (index.has(id)) throw new QuorumConfigError(`${where}: duplicate acceptor ${show(id)}`);
    index.set(id, i);
  }
  return index;
}

/** Are at least `threshold` distinct known acceptors among `ackers`? Stops as soon as they are. */
export function hasAtLeast(
  index: ReadonlyMap<NodeId, number>,
  ackers: Iterable<NodeId>,
  threshold: number,
): boolean {
  let count = 0;
  if (ackers instanceof Set) {
    // A Set has no duplicates, so we can skip the seen-array and bail out early on size.
    if (ackers.size < threshold) return false;
    for (const id of ackers) {
      if (index.has(id) && ++count >= threshold) return true;
    }
    return false;
  }
  const seen = new Uint8Array(index.size);
  for (const id of ackers) {
    const i = index.get(id);
    if (i === undefined || seen[i] === 1) continue;
    seen[i] = 1;
    if (++count >= threshold) return true;
  }
  return false;
}
