import type { NodeId } from "@paxos/quorum-system";
import { type Ballot, BOTTOM, compareBallots } from "../ballot.js";
import type { RoleContext } from "../context.js";
import type { PersistRecord } from "../effects.js";
import type { MessageOf, PValue } from "../messages.js";
import { LiveLeaderWatch, liveWindowMs } from "./prevote.js";

/**
 * The acceptor of the Synod protocol. It promises ballots (phase 1) and accepts pvalues
 * (phase 2). Its state is exactly what it persists: the promised ballot and, per slot, the
 * highest-ballot pvalue it accepted (the paper's state reduction: older pvalues of a slot can
 * never be chosen over a higher one, so they are dropped).
 */
export class Acceptor {
  private promisedBallot: Ballot = BOTTOM;
  private readonly acceptedBySlot = new Map<number, PValue>();
  private readonly liveLeader: LiveLeaderWatch;

  constructor(
    private readonly ctx: RoleContext,
    recovered: readonly PersistRecord[] = [],
  ) {
    for (const record of recovered) this.replay(record);
    this.liveLeader = new LiveLeaderWatch(liveWindowMs(ctx.timing));
  }

  get promised(): Ballot {
    return this.promisedBallot;
  }

  accepted(slot: number): PValue | undefined {
    return this.acceptedBySlot.get(slot);
  }

  get acceptedCount(): number {
    return this.acceptedBySlot.size;
  }

  /** Phase 1: promise a higher ballot; always answer with the promise and what was accepted. */
  onP1a(from: NodeId, m: MessageOf<"p1a">): void {
    if (compareBallots(m.ballot, this.promisedBallot) > 0) {
      this.promisedBallot = m.ballot;
      this.ctx.persist({ type: "promise", ballot: m.ballot });
    }
    const accepted: PValue[] = [];
    for (const pvalue of this.acceptedBySlot.values()) {
      if (pvalue.slot >= m.fromSlot) accepted.push(pvalue);
    }
    this.ctx.send(from, { type: "p1b", ballot: this.promisedBallot, accepted });
  }

  /** Phase 2: accept unless promised to a higher ballot; answer with the promise either way. */
  onP2a(from: NodeId, m: MessageOf<"p2a">): void {
    if (compareBallots(m.ballot, this.promisedBallot) >= 0) {
      this.promisedBallot = m.ballot;
      const pvalue: PValue = { ballot: m.ballot, slot: m.slot, value: m.value };
      this.acceptedBySlot.set(m.slot, pvalue);
      // One record carries both the promise and the pvalue (replay takes the promise from it).
      this.ctx.persist({ type: "accept", pvalue });
    }
    this.ctx.send(from, { type: "p2b", ballot: this.promisedBallot, slot: m.slot });
  }

  /**
   * A live leader's heartbeat holds prevotes off for a while, unless its ballot is below the
   * promise (a newer leader took over; the old one is not live). The node answers it.
   */
  onHeartbeat(from: NodeId, m: MessageOf<"heartbeat">): void {
    if (compareBallots(m.ballot, this.promisedBallot) >= 0) {
      this.liveLeader.heard(from, this.ctx.now);
    }
  }

  /** PreVote: would this acceptor promise a new leader now? It changes no state. */
  onPrevote(from: NodeId, _m: MessageOf<"prevote">): void {
    const granted = this.liveLeader.grants(from, this.ctx.now);
    this.ctx.send(from, { type: "prevoteReply", ballot: this.promisedBallot, granted });
  }

  private replay(record: PersistRecord): void {
    if (record.type === "promise") {
      if (compareBallots(record.ballot, this.promisedBallot) > 0)
        this.promisedBallot = record.ballot;
    } else if (record.type === "accept") {
      const { pvalue } = record;
      if (compareBallots(pvalue.ballot, this.promisedBallot) > 0)
        this.promisedBallot = pvalue.ballot;
      const previous = this.acceptedBySlot.get(pvalue.slot);
      if (!previous || compareBallots(pvalue.ballot, previous.ballot) >= 0) {
        this.acceptedBySlot.set(pvalue.slot, pvalue);
      }
    }
  }
}
