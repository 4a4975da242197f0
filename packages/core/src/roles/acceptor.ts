import type { NodeId } from "@paxos/quorum-system";
import { type Ballot, BOTTOM, compareBallots } from "../ballot.js";
import type { Limits } from "../config.js";
import type { RoleContext } from "../context.js";
import type { PersistRecord } from "../effects.js";
import type { MessageOf, PValue } from "../messages.js";
import { batchBytes, MESSAGE_OVERHEAD_BYTES } from "../size.js";
import { LiveLeaderWatch, liveWindowMs } from "./prevote.js";

/** What one pvalue adds to a p1b besides its batch: ballot, slot, punctuation. */
const PVALUE_OVERHEAD_BYTES = 96;

/**
 * The acceptor of the Synod protocol. It promises ballots (phase 1) and accepts pvalues
 * (phase 2). Its state is exactly what it persists: the promised ballot, per slot the
 * highest-ballot pvalue it accepted (the paper's state reduction: older pvalues of a slot can
 * never be chosen over a higher one, so they are dropped), and the slot below which it forgot
 * every pvalue because a leader said it is safe (roles/forget-rule.ts has the rule and why).
 */
export class Acceptor {
  private promisedBallot: Ballot = BOTTOM;
  private readonly acceptedBySlot = new Map<number, PValue>();
  private trimmedBelowSlot = 0;
  private readonly chunkBytes: number;
  private readonly liveLeader: LiveLeaderWatch;

  constructor(
    private readonly ctx: RoleContext,
    limits: Limits,
    recovered: readonly PersistRecord[] = [],
  ) {
    this.chunkBytes = limits.maxMessageBytes - MESSAGE_OVERHEAD_BYTES;
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

  /** every pvalue below this slot has been forgotten (all those slots are decided) */
  get trimmedBelow(): number {
    return this.trimmedBelowSlot;
  }

  /**
   * Phase 1: promise a higher ballot; always answer with the promise and what was accepted
   * from the p1a's slot on, split into chunks that each fit in a message.
   */
  onP1a(from: NodeId, m: MessageOf<"p1a">): void {
    if (compareBallots(m.ballot, this.promisedBallot) > 0) {
      this.promisedBallot = m.ballot;
      this.ctx.persist({ type: "promise", ballot: m.ballot });
    }
    const chunks: PValue[][] = [[]];
    let bytes = 0;
    for (const pvalue of this.acceptedBySlot.values()) {
      if (pvalue.slot < m.fromSlot) continue;
      const size = batchBytes(pvalue.value) + PVALUE_OVERHEAD_BYTES;
      if (bytes + size > this.chunkBytes && bytes > 0) {
        chunks.push([]);
        bytes = 0;
      }
      chunks[chunks.length - 1]!.push(pvalue);
      bytes += size;
    }
    for (let i = 0; i < chunks.length; i++) {
      this.ctx.send(from, {
        type: "p1b",
        ballot: this.promisedBallot,
        accepted: chunks[i]!,
        trimmedBelow: this.trimmedBelowSlot,
        chunk: i,
        chunks: chunks.length,
      });
    }
  }

  /** Phase 2: accept unless promised to a higher ballot; answer with the promise either way. */
  onP2a(from: NodeId, m: MessageOf<"p2a">): void {
    if (m.slot < this.trimmedBelowSlot) {
      // The slot is decided and forgotten here. Accepting would be harmless, but a p2b would
      // count towards a quorum this acceptor cannot vouch for; only a higher promise is news.
      if (compareBallots(this.promisedBallot, m.ballot) > 0) {
        this.ctx.send(from, {
          type: "p2b",
          ballot: this.promisedBallot,
          slot: m.slot,
          accepted: false,
        });
      }
      return;
    }
    const accepted = compareBallots(m.ballot, this.promisedBallot) >= 0;
    if (accepted) {
      this.promisedBallot = m.ballot;
      const pvalue: PValue = { ballot: m.ballot, slot: m.slot, value: m.value };
      this.acceptedBySlot.set(m.slot, pvalue);
      // One record carries both the promise and the pvalue (replay takes the promise from it).
      this.ctx.persist({ type: "accept", pvalue });
    }
    // A refusal carries the higher promise, which may be the ballot the leader has moved on to
    // since it sent this p2a: `accepted` keeps it from counting as an acceptance there.
    this.ctx.send(from, { type: "p2b", ballot: this.promisedBallot, slot: m.slot, accepted });
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

  /** A leader says every slot below `below` is decided and held by enough replicas. */
  onTrim(_from: NodeId, m: MessageOf<"trim">): void {
    if (m.below <= this.trimmedBelowSlot) return;
    this.forgetBelow(m.below);
    this.ctx.persist({ type: "trim", below: m.below });
  }

  /**
   * Records that rebuild this acceptor's state as it is now: what a host writes at the head
   * of a fresh log segment before it deletes the older ones (compaction).
   */
  checkpoint(): PersistRecord[] {
    const records: PersistRecord[] = [];
    if (this.promisedBallot !== BOTTOM)
      records.push({ type: "promise", ballot: this.promisedBallot });
    if (this.trimmedBelowSlot > 0) records.push({ type: "trim", below: this.trimmedBelowSlot });
    for (const pvalue of this.acceptedBySlot.values()) records.push({ type: "accept", pvalue });
    return records;
  }

  private forgetBelow(below: number): void {
    this.trimmedBelowSlot = below;
    for (const slot of this.acceptedBySlot.keys()) {
      if (slot < below) this.acceptedBySlot.delete(slot);
    }
  }

  private replay(record: PersistRecord): void {
    switch (record.type) {
      case "promise":
        if (compareBallots(record.ballot, this.promisedBallot) > 0)
          this.promisedBallot = record.ballot;
        break;
      case "accept": {
        const { pvalue } = record;
        if (compareBallots(pvalue.ballot, this.promisedBallot) > 0)
          this.promisedBallot = pvalue.ballot;
        if (pvalue.slot < this.trimmedBelowSlot) break;
        const previous = this.acceptedBySlot.get(pvalue.slot);
        if (!previous || compareBallots(pvalue.ballot, previous.ballot) >= 0) {
          this.acceptedBySlot.set(pvalue.slot, pvalue);
        }
        break;
      }
      case "trim":
        if (record.below > this.trimmedBelowSlot) this.forgetBelow(record.below);
        break;
      default:
        break;
    }
  }
}
