import type { NodeId } from "@paxos/quorum-system";

/**
 * A leader's failure detector for acceptors. An acceptor is *fresh* when it answered anything
 * (p1b, p2b, probeAck, prevoteReply) within `freshMs`, and *suspect* when something sent to it
 * has waited `suspectMs` without any answer since. Probes go to every acceptor every heartbeat
 * interval, so both stay current while the leader is idle.
 */
export class AcceptorHealth {
  private readonly heardAt = new Map<NodeId, number>();
  /** the first send to the acceptor since its last answer */
  private readonly waitingSince = new Map<NodeId, number>();

  constructor(
    private readonly freshMs: number,
    private readonly suspectMs: number,
  ) {}

  sent(acceptor: NodeId, now: number): void {
    if (!this.waitingSince.has(acceptor)) this.waitingSince.set(acceptor, now);
  }

  heard(acceptor: NodeId, now: number): void {
    this.heardAt.set(acceptor, now);
    this.waitingSince.delete(acceptor);
  }

  isFresh(acceptor: NodeId, now: number): boolean {
    const at = this.heardAt.get(acceptor);
    return at !== undefined && now - at <= this.freshMs;
  }

  isSuspect(acceptor: NodeId, now: number): boolean {
    const since = this.waitingSince.get(acceptor);
    return since !== undefined && now - since >= this.suspectMs;
  }

  /** Fresh and not suspect: worth addressing alone in a thrifty quorum. */
  isHealthy(acceptor: NodeId, now: number): boolean {
    return this.isFresh(acceptor, now) && !this.isSuspect(acceptor, now);
  }

  /** When one of `acceptors`, healthy now, turns suspect (Infinity: none is waiting). */
  nextSuspicionAt(acceptors: Iterable<NodeId>, now: number): number {
    let at = Number.POSITIVE_INFINITY;
    for (const a of acceptors) {
      const since = this.waitingSince.get(a);
      if (since === undefined) continue;
      const due = since + this.suspectMs;
      if (due > now && due < at) at = due;
    }
    return at;
  }

  /** Those of `acceptors` that answered within freshMs. */
  fresh(acceptors: readonly NodeId[], now: number): NodeId[] {
    return acceptors.filter((a) => this.isFresh(a, now));
  }
}
