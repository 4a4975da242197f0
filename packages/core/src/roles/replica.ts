import type { NodeId } from "@paxos/quorum-system";
import { type Batch, type Command, commandKey, type Operation, type Result } from "../command.js";
import type { ReplicaOptions } from "../config.js";
import type { RoleContext } from "../context.js";
import type { Decided, MessageOf, SessionSnapshot } from "../messages.js";
import type { StateMachine } from "../state-machine.js";

/** What a replica remembers of one client, so a retried command is applied once. */
interface Session {
  /** the client holds answers for every seq below this; such requests are ignored */
  ackedBelow: number;
  /** answers for applied seqs at or above ackedBelow, to answer a repeated request */
  readonly results: Map<number, Result>;
}

interface Awaiting {
  readonly client: NodeId;
  readonly clientId: string;
  readonly seq: number;
}

interface OwnProposal {
  readonly value: Batch;
  sentAt: number;
}

const NO_WAKE = Number.POSITIVE_INFINITY;

/**
 * The replica of Paxos Made Moderately Complex. It turns client requests into proposals for
 * slots inside a window above the last applied slot, applies decisions strictly in slot order,
 * re-proposes its own commands that lost their slot to another proposal, and answers clients.
 *
 * What the paper leaves out and a lossy network needs: proposals are resent until decided; a
 * replica stuck on a slot (it sees later slots decided, or a leader reports a longer decided
 * prefix) asks the other replicas for the decisions it missed and proposes a no-op for the
 * hole; it keeps a window of applied decisions to serve such catch-up, and a snapshot of the
 * state machine for a replica that fell behind that window.
 */
export class Replica {
  private slotIn = 0;
  private slotOut = 0;
  /** commands waiting for a slot, oldest first (an array with a moving head: O(1) take) */
  private queue: Command[] = [];
  private queueHead = 0;
  /** keys of commands queued or proposed and not yet applied */
  private readonly pending = new Set<string>();
  private readonly proposals = new Map<number, OwnProposal>();
  /** decided batches: those not applied yet, and the last `retainSlots` applied ones */
  private readonly decisions = new Map<number, Batch>();
  private retainedFrom = 0;
  private highestDecided = -1;
  /** a leader's report of how far the log is decided */
  private leaderDecidedBelow = 0;
  private readonly sessions = new Map<string, Session>();
  /** who to answer for a command, by command key */
  private readonly awaiting = new Map<string, Awaiting>();
  /** the leader that last sent a decision or heartbeat: proposals go there first */
  private leaderHint: NodeId | null = null;
  private stuckSince = NO_WAKE;
  /** commands whose proposal lost its slot, waiting to be proposed again */
  private lost: Command[] = [];
  private lostRequeueAt = NO_WAKE;
  private nextResendAt = NO_WAKE;
  private readonly otherReplicas: NodeId[];

  constructor(
    private readonly ctx: RoleContext,
    private readonly options: ReplicaOptions,
    private readonly stateMachine: StateMachine<Operation, Result>,
  ) {
    this.otherReplicas = ctx.cluster.replicas.filter((id) => id !== ctx.id);
  }

  /** the next slot to apply: every slot below it has been applied */
  get appliedBelow(): number {
    return this.slotOut;
  }

  get service(): StateMachine<Operation, Result> {
    return this.stateMachine;
  }

  onRequest(from: NodeId, m: MessageOf<"request">): void {
    const command = m.command;
    const session = this.sessions.get(command.clientId);
    if (session) {
      // The client already holds this answer; a late duplicate needs none.
      if (command.seq < session.ackedBelow) return;
      const result = session.results.get(command.seq);
      if (result) {
        this.respond({ client: from, ...command }, result);
        return;
      }
    }
    const key = commandKey(command);
    this.awaiting.set(key, { client: from, clientId: command.clientId, seq: command.seq });
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.queue.push(command);
  }

  /**
   * The host has delivered everything that arrived together: propose what was queued. Waiting
   * for the end of the turn lets the requests of one frame share one slot (batching).
   */
  endTurn(): void {
    if (this.queueHead < this.queue.length) this.propose();
  }

  onDecision(from: NodeId, m: MessageOf<"decision">): void {
    this.leaderHint = from;
    this.learn(m.slot, m.value);
    this.applyReady();
  }

  onHeartbeat(from: NodeId, m: MessageOf<"heartbeat">): void {
    this.leaderHint = from;
    if (m.decidedBelow > this.leaderDecidedBelow) this.leaderDecidedBelow = m.decidedBelow;
    this.checkStuck();
  }

  onCatchup(from: NodeId, m: MessageOf<"catchup">): void {
    if (m.fromSlot >= this.slotOut) return;
    if (m.fromSlot < this.retainedFrom) {
      const sessions: SessionSnapshot[] = [];
      for (const [clientId, s] of this.sessions) {
        sessions.push({ clientId, ackedBelow: s.ackedBelow, results: [...s.results] });
      }
      this.ctx.send(from, {
        type: "snapshot",
        slot: this.slotOut,
        state: this.stateMachine.snapshot(),
        sessions,
      });
      return;
    }
    const decisions: Decided[] = [];
    const end = Math.min(this.slotOut, m.fromSlot + this.options.catchupChunk);
    for (let slot = m.fromSlot; slot < end; slot++) {
      const value = this.decisions.get(slot);
      if (value) decisions.push({ slot, value });
    }
    this.ctx.send(from, { type: "catchupReply", decisions });
  }

  onCatchupReply(_from: NodeId, m: MessageOf<"catchupReply">): void {
    for (const d of m.decisions) this.learn(d.slot, d.value);
    this.applyReady();
  }

  onSnapshot(from: NodeId, m: MessageOf<"snapshot">): void {
    if (m.slot <= this.slotOut) return;
    this.stateMachine.restore(m.state);
    this.sessions.clear();
    for (const s of m.sessions) {
      this.sessions.set(s.clientId, { ackedBelow: s.ackedBelow, results: new Map(s.results) });
    }
    for (const slot of this.decisions.keys()) if (slot < m.slot) this.decisions.delete(slot);
    // Own proposals below the snapshot lost their slots; their commands go back in the queue
    // (those the snapshot already applied are filtered out when proposing).
    for (const [slot, own] of this.proposals) {
      if (slot < m.slot) {
        this.proposals.delete(slot);
        this.requeue(own.value);
      }
    }
    this.slotOut = m.slot;
    this.retainedFrom = m.slot;
    this.slotIn = Math.max(this.slotIn, this.slotOut);
    this.ctx.emit({ type: "snapshotInstalled", slot: m.slot, from });
    this.answerFromSessions();
    this.applyReady();
  }

  tick(): void {
    const now = this.ctx.now;
    if (now >= this.nextResendAt) this.resendProposals();
    if (now >= this.lostRequeueAt) {
      this.requeue(this.lost);
      this.lost = [];
      this.lostRequeueAt = NO_WAKE;
      this.propose();
    }
    this.checkStuck();
    // The same expression as nextWakeAt(): a host that wakes exactly then must find it due.
    if (now >= this.stuckSince + this.ctx.timing.holeTimeoutMs) this.fillHole();
  }

  nextWakeAt(): number {
    return Math.min(
      this.nextResendAt,
      this.lostRequeueAt,
      this.stuckSince + this.ctx.timing.holeTimeoutMs,
    );
  }

  /** PMMC's propose(): fill free slots in the window with batches of queued commands. */
  private propose(): void {
    const { window, maxBatch } = this.options;
    while (this.queueHead < this.queue.length && this.slotIn < this.slotOut + window) {
      if (this.decisions.has(this.slotIn)) {
        this.slotIn++;
        continue;
      }
      const batch: Command[] = [];
      while (batch.length < maxBatch && this.queueHead < this.queue.length) {
        const command = this.queue[this.queueHead++]!;
        if (!this.isApplied(command)) batch.push(command);
      }
      if (batch.length === 0) break;
      const slot = this.slotIn++;
      this.proposals.set(slot, { value: batch, sentAt: this.ctx.now });
      this.sendProposal(slot, batch, false);
    }
    this.compactQueue();
    if (this.proposals.size > 0 && this.nextResendAt === NO_WAKE) {
      this.nextResendAt = this.ctx.now + this.ctx.timing.proposeRetryMs;
    }
  }

  private sendProposal(slot: number, value: Batch, toAll: boolean): void {
    const message = { type: "propose", slot, value } as const;
    if (this.leaderHint !== null && !toAll) {
      this.ctx.send(this.leaderHint, message);
      return;
    }
    for (const leader of this.ctx.cluster.leaders) this.ctx.send(leader, message);
  }

  private resendProposals(): void {
    const { now, timing } = this.ctx;
    for (const [slot, own] of this.proposals) {
      if (now - own.sentAt < timing.proposeRetryMs) continue;
      own.sentAt = now;
      // A proposal that went unanswered may have gone to a dead leader: tell them all.
      this.sendProposal(slot, own.value, true);
    }
    this.nextResendAt = this.proposals.size > 0 ? now + timing.proposeRetryMs : NO_WAKE;
  }

  private learn(slot: number, value: Batch): void {
    if (slot < this.slotOut || this.decisions.has(slot)) return;
    this.decisions.set(slot, value);
    if (slot > this.highestDecided) this.highestDecided = slot;
  }

  /** Apply decided slots strictly in order, starting at slotOut. */
  private applyReady(): void {
    const startedAt = this.slotOut;
    let value = this.decisions.get(this.slotOut);
    while (value !== undefined) {
      const slot = this.slotOut;
      const own = this.proposals.get(slot);
      if (own) {
        this.proposals.delete(slot);
        // Our batch lost the slot to another proposal: its commands try again later.
        if (own.value !== value) this.park(own.value, value);
      }
      for (const command of value) this.execute(slot, command);
      this.ctx.emit({ type: "slotApplied", slot, value });
      this.slotOut++;
      if (this.slotOut - this.retainedFrom > this.options.retainSlots) {
        this.decisions.delete(this.retainedFrom++);
      }
      value = this.decisions.get(this.slotOut);
    }
    // Only progress resets the hole timer: while traffic flows past a hole, it stays a hole.
    if (this.slotOut > startedAt) this.stuckSince = NO_WAKE;
    if (this.slotIn < this.slotOut) this.slotIn = this.slotOut;
    this.checkStuck();
    this.propose();
  }

  private execute(slot: number, command: Command): void {
    const key = commandKey(command);
    this.pending.delete(key);
    let session = this.sessions.get(command.clientId);
    if (!session) {
      session = { ackedBelow: 0, results: new Map() };
      this.sessions.set(command.clientId, session);
    }
    if (command.seq < session.ackedBelow || session.results.has(command.seq)) return;
    const result = this.stateMachine.apply(command.op);
    session.results.set(command.seq, result);
    if (command.ackedBelow > session.ackedBelow) {
      session.ackedBelow = command.ackedBelow;
      for (const seq of session.results.keys()) {
        if (seq < session.ackedBelow) session.results.delete(seq);
      }
    }
    this.ctx.emit({ type: "executed", slot, command, result });
    const waiting = this.awaiting.get(key);
    if (waiting !== undefined) this.respond(waiting, result);
  }

  private respond(to: Awaiting, result: Result): void {
    this.awaiting.delete(commandKey(to));
    this.ctx.send(to.client, { type: "response", clientId: to.clientId, seq: to.seq, result });
  }

  /** After a snapshot, answer waiting clients whose commands the snapshot applied. */
  private answerFromSessions(): void {
    for (const waiting of this.awaiting.values()) {
      const result = this.sessions.get(waiting.clientId)?.results.get(waiting.seq);
      if (result) this.respond(waiting, result);
    }
  }

  private isApplied(command: Command): boolean {
    const session = this.sessions.get(command.clientId);
    if (!session) return false;
    return command.seq < session.ackedBelow || session.results.has(command.seq);
  }

  /**
   * A lost batch waits one retry period before its commands are proposed again: the leader
   * usually gives it another slot at once (Leader.relocate), and proposing it a second time
   * meanwhile would only fill a slot with duplicates.
   */
  private park(lost: Batch, winner: Batch): void {
    const won = new Set(winner.map(commandKey));
    for (const c of lost) if (!won.has(commandKey(c))) this.lost.push(c);
    if (this.lost.length > 0 && this.lostRequeueAt === NO_WAKE) {
      this.lostRequeueAt = this.ctx.now + this.ctx.timing.proposeRetryMs;
    }
  }

  /** Put commands back at the front of the queue, minus those applied meanwhile. */
  private requeue(commands: Batch): void {
    const again = commands.filter((c) => !this.isApplied(c));
    if (again.length === 0) return;
    for (const c of again) this.pending.add(commandKey(c));
    this.queue = [...again, ...this.queue.slice(this.queueHead)];
    this.queueHead = 0;
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Stuck: slotOut is undecided while a later slot is decided or a leader says it is. */
  private checkStuck(): void {
    const behind =
      !this.decisions.has(this.slotOut) &&
      (this.highestDecided > this.slotOut || this.leaderDecidedBelow > this.slotOut);
    if (!behind) this.stuckSince = NO_WAKE;
    else if (this.stuckSince === NO_WAKE) this.stuckSince = this.ctx.now;
  }

  private fillHole(): void {
    const slot = this.slotOut;
    for (const peer of this.otherReplicas) this.ctx.send(peer, { type: "catchup", fromSlot: slot });
    if (!this.proposals.has(slot)) {
      for (const leader of this.ctx.cluster.leaders) {
        this.ctx.send(leader, { type: "propose", slot, value: [] });
      }
    }
    this.stuckSince = this.ctx.now;
  }
}
