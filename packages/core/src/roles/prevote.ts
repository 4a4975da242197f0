import type { NodeId, QuorumSystem } from "@paxos/quorum-system";
import type { Ballot } from "../ballot.js";
import type { Timing } from "../config.js";

/**
 * PreVote, the Paxos way. Before a would-be leader sends any p1a (which raises acceptors'
 * promises and so deposes whoever leads), it asks the acceptors whether a phase-1 quorum would
 * promise at all. An acceptor says no while it hears a live leader: one whose heartbeats (sent
 * only while it holds a live phase-2 quorum and a replica) reached it within `liveWindowMs`. A
 * node that was cut off, or restarted, and missed the current leader's heartbeats therefore
 * cannot disturb it: the acceptors around the leader vote no, and it backs off until it hears
 * the leader itself. When the leader really is gone or cut off from its quorum, its heartbeats
 * stop, the window runs out, and the acceptors vote yes.
 */

/**
 * How long after a live leader's heartbeat an acceptor refuses prevotes. Half the leader
 * timeout: a follower waits a whole timeout before it asks, so by then the window of an
 * acceptor that heard the last heartbeat together with it has run out, and a partial cut that
 * leaves the leader its acceptors but not its quorum costs one window, not two. At least two
 * heartbeat intervals, so one lost heartbeat does not open it.
 */
export function liveWindowMs(timing: Timing): number {
  return Math.max(timing.leaderTimeoutMs / 2, 2 * timing.heartbeatIntervalMs);
}

/** The acceptor's side: the last heartbeat of a live leader it heard. */
export class LiveLeaderWatch {
  private leader: NodeId | null = null;
  private heardAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly windowMs: number) {}

  heard(leader: NodeId, now: number): void {
    this.leader = leader;
    this.heardAt = now;
  }

  /** Grant unless another leader was heard live within the window (not the asker itself). */
  grants(asker: NodeId, now: number): boolean {
    return this.leader === asker || now - this.heardAt >= this.windowMs;
  }
}

/** The would-be leader's side: one round of prevotes (resent to the silent, like p1a). */
export class PreVoteRound {
  readonly granted = new Set<NodeId>();
  readonly refused = new Set<NodeId>();
  retries = 0;

  constructor(
    private readonly quorum: QuorumSystem,
    readonly ballot: Ballot,
    readonly giveUpAt: number,
  ) {}

  answered(acceptor: NodeId): boolean {
    return this.granted.has(acceptor) || this.refused.has(acceptor);
  }

  answer(acceptor: NodeId, granted: boolean): void {
    if (granted) {
      this.granted.add(acceptor);
      this.refused.delete(acceptor);
    } else if (!this.granted.has(acceptor)) {
      this.refused.add(acceptor);
    }
  }

  get won(): boolean {
    return this.quorum.isPhase1Quorum(this.granted);
  }

  /** So many refused that the others cannot make a phase-1 quorum any more. */
  get lost(): boolean {
    const rest = this.quorum.acceptors.filter((a) => !this.refused.has(a));
    return !this.quorum.isPhase1Quorum(rest);
  }
}
