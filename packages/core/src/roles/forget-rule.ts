import type { NodeId } from "@paxos/quorum-system";

/**
 * When may acceptors forget accepted pvalues? (docs/bounded-state.md tells the whole story.)
 *
 * The rule: acceptors may forget every pvalue below slot S once a majority of the replicas
 * (floor(R/2) + 1 of R) have reported a durable snapshot at slot S or above. The leader
 * computes S from the replicas' `snapshotted` reports and sends it to the acceptors in `trim`.
 *
 * Safety. A replica snapshots at S only after applying every slot below S, so each such slot
 * is decided: some value v was chosen by a phase-2 quorum. A pvalue matters only to a future
 * phase 1, where the highest-ballot pvalue reported for a slot by a phase-1 quorum is the
 * chosen value; forgetting breaks that argument only if the new leader does not know the slot
 * was forgotten. So an acceptor that forgot answers every p1b with `trimmedBelow`, and a leader
 * treats every slot below the highest `trimmedBelow` of its phase-1 quorum as decided: it
 * never proposes there. For a slot s at or above that mark, no acceptor of the quorum forgot
 * s, so the usual intersection argument holds unchanged. The acceptor also refuses to answer
 * a p2a below its mark, so a stale leader can never count it into a phase-2 quorum there.
 *
 * Availability. The values of forgotten slots live on only in replicas' state. Requiring a
 * majority of replicas to hold a durable snapshot at S means a replica that restarts below S
 * (or is new) can always fetch a snapshot from a live peer as long as a majority of replicas
 * is up, which is the same failure assumption the protocol already makes. A slower rule (all
 * replicas) would let one dead replica stop every acceptor from forgetting: unbounded growth.
 *
 * This is the role etcd-raft's log compaction plays (a follower too far behind gets
 * MsgSnap), with the snapshot made by the state machine's owners rather than the log's.
 */
export function safeToForgetBelow(
  snapshotAt: ReadonlyMap<NodeId, number>,
  replicas: readonly NodeId[],
): number {
  const needed = Math.floor(replicas.length / 2) + 1;
  const slots: number[] = [];
  for (const replica of replicas) slots.push(snapshotAt.get(replica) ?? 0);
  slots.sort((a, b) => b - a);
  return slots[needed - 1] ?? 0;
}
