import type { NodeId } from "@paxos/quorum-system";

/**
 * A minimal quorum drawn from `preferred` (in that order of preference), or null when the
 * preferred acceptors hold no quorum. Works for any quorum system through its predicate alone:
 * take acceptors in order until they form a quorum, then drop every member the quorum does not
 * need (last taken first, so the most preferred stay). O(n^2) predicate calls; leaders call it
 * only when their healthy set changes.
 */
export function minimalQuorum(
  preferred: readonly NodeId[],
  isQuorum: (ackers: Iterable<NodeId>) => boolean,
): NodeId[] | null {
  const picked: NodeId[] = [];
  for (const a of preferred) {
    picked.push(a);
    if (isQuorum(picked)) break;
  }
  if (!isQuorum(picked)) return null;
  for (let i = picked.length - 1; i >= 0; i--) {
    const without = picked.filter((_, j) => j !== i);
    if (isQuorum(without)) picked.splice(i, 1);
  }
  return picked;
}

/**
 * Thrifty targets: a minimal quorum of healthy acceptors, this node's own acceptor first (its
 * messages never touch the network), then the current targets (so the set changes only when
 * it must), then the others in the quorum system's order. Null when the healthy acceptors hold
 * no quorum: the leader is in doubt and addresses every acceptor.
 */
export function thriftyTargets(
  acceptors: readonly NodeId[],
  healthy: (a: NodeId) => boolean,
  self: NodeId,
  current: readonly NodeId[],
  isQuorum: (ackers: Iterable<NodeId>) => boolean,
): NodeId[] | null {
  const order: NodeId[] = [];
  const add = (a: NodeId) => {
    if (healthy(a) && !order.includes(a)) order.push(a);
  };
  if (acceptors.includes(self)) add(self);
  for (const a of current) add(a);
  for (const a of acceptors) add(a);
  return minimalQuorum(order, isQuorum);
}
