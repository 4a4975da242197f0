import type { NodeId } from "@paxos/quorum-system";

/**
 * A ballot is (round, leaderId), ordered by round and then by leader id, so two leaders never
 * own the same ballot. The bottom ballot (round 0, "") is below every ballot a leader uses.
 */
export interface Ballot {
  readonly round: number;
  readonly leader: NodeId;
}

export const BOTTOM: Ballot = Object.freeze({ round: 0, leader: "" });

export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.leader === b.leader) return 0;
  return a.leader < b.leader ? -1 : 1;
}

export function ballotEquals(a: Ballot, b: Ballot): boolean {
  return a.round === b.round && a.leader === b.leader;
}

export function formatBallot(b: Ballot): string {
  return `(${b.round},${b.leader})`;
}
