import type { NodeId } from "@paxos/quorum-system";
import { type Batch, type Command, commandKey, type Operation, type Result } from "../command.js";
import type { Limits, ReplicaOptions } from "../config.js";
import type { RoleContext } from "../context.js";
import type { SnapshotRecord } from "../effects.js";
import type { Decided, MessageOf, SessionSnapshot } from "../messages.js";
import {
  batchBytes,
  commandBytes,
  MESSAGE_OVERHEAD_BYTES,
  operationBytesOver,
  rememberBatchBytes,
} from "../size.js";
import type { StateMachine } from "../state-machine.js";
import { CommandTable } from "./command-table.js";

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

/** A snapshot arriving in chunks from one peer. */
interface IncomingSnapshot {
  readonly from: NodeId;
  readonly slot: number;
  readonly chunks: number;
  readonly received: Map<number, MessageOf<"snapshot">>;
}

/** What one decided slot adds to a catch-up reply besides its batch. */
const DECIDED_OVERHEAD_BYTES = 48;
/** What one session adds to a snapshot chunk besides its results. */
const SESSION_OVERHEAD_BYTES = 96;

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
  /** commands queued or proposed and not yet applied */
  private readonly pending = new CommandTable<true>();
  /** slotOut when this replica last asked to be caught up from far behind (endTurn) */
  private catchUpAskedAt = -1;
  /** the client of the last command executed: its session is the last in `sessions` */
  private lastActiveClient: string | undefined;
  private readonly proposals = new Map<number, OwnProposal>();
  /** decided batches: those not applied yet, and the last `retainSlots` applied ones */
  private readonly decisions = new Map<number, Batch>();
  private retainedFrom = 0;
  /** bytes of the applied batches retained (those from retainedFrom to slotOut) */
  private retainedBytes = 0;
  /** their sizes, oldest first (an array with a moving head), to subtract on forgetting */
  private retainedSizes: number[] = [];
  private retainedSizesHead = 0;
  /** the slot of the latest durable snapshot, and what was applied since */
  private snapshotSlot = 0;
  private bytesSinceSnapshot = 0;
  private incoming: IncomingSnapshot | null = null;
  private highestDecided = -1;
  /** a leader's report of how far the log is decided */
  private leaderDecidedBelow = 0;
  /** client sessions, least recently active first (an execute moves a session to the end) */
  private readonly sessions = new Map<string, Session>();
  /** who to answer for a command */
  private readonly awaiting = new CommandTable<Awaiting>();
  /** the leader that last sent a decision or heartbeat: proposals go there first */
  private leaderHint: NodeId | null = null;
  private stuckSince = NO_WAKE;
  /** commands whose proposal lost its slot, waiting to be proposed again */
  private lost: Command[] = [];
  private lostRequeueAt = NO_WAKE;
  private nextResendAt = NO_WAKE;
  private readonly otherReplicas: NodeId[];

  private readonly chunkBytes: number;

  constructor(
    private readonly ctx: RoleContext,
    private readonly options: ReplicaOptions,
    private readonly limits: Limits,
    private readonly stateMachine: StateMachine<Operation, Result>,
    recovered?: SnapshotRecord,
  ) {
    this.otherReplicas = ctx.cluster.replicas.filter((id) => id !== ctx.id);
    this.chunkBytes = limits.maxMessageBytes - MESSAGE_OVERHEAD_BYTES;
    if (recovered !== undefined) {
      // Its own durable snapshot: start there, and learn the rest from peers and leaders.
      this.install(recovered.slot, recovered.entries, recovered.sessions);
      this.snapshotSlot = recovered.slot;
      ctx.emit({ type: "snapshotInstalled", slot: recovered.slot, from: ctx.id });
      // The report sent when it was taken may have been lost in the stop: tell the leaders
      // again, so they know the slots below are decided and acceptors may forget them.
      this.reportSnapshot(recovered.slot);
    }
  }

  /** the decision of a slot this replica holds (applied and retained, or learned ahead) */
  decided(slot: number): Batch | undefined {
    return this.decisions.get(slot);
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
    const valueBytes = operationBytesOver(command.op, this.limits.maxValueBytes);
    if (valueBytes !== undefined) {
      this.refuse(
        from,
        command,
        `value is ${valueBytes} bytes, the limit is ${this.limits.maxValueBytes}`,
      );
      return;
    }
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
    const { clientId, seq } = command;
    const isPending = this.pending.has(clientId, seq);
    if (!isPending && this.pending.size >= this.options.maxPendingRequests) {
      this.refuse(
        from,
        command,
        `replica ${this.ctx.id} is overloaded: ${this.pending.size} requests pending, the limit is ${this.options.maxPendingRequests}`,
      );
      return;
    }
    this.awaiting.set(clientId, seq, { client: from, clientId, seq });
    if (isPending) return;
    this.pending.set(clientId, seq, true);
    this.queue.push(command);
  }

  /** Tell a client its command was not executed and never will be (or, maybe, was before). */
  private refuse(to: NodeId, command: Command, reason: string, maybeApplied = false): void {
    this.ctx.send(to, {
      type: "refused",
      clientId: command.clientId,
      seq: command.seq,
      reason,
      maybeApplied,
    });
  }

  /**
   * The host has delivered everything that arrived together: propose what was queued. Waiting
   * for the end of the turn lets the requests of one frame share one slot (batching).
   */
  endTurn(): void {
    if (this.queueHead < this.queue.length) this.propose();
    // Catching up from far behind (a leader's decided prefix beyond this replica's window, e.g.
    // after a restart): ask for the next stretch once per turn that applied the last one, not
    // one hole timeout later. A restarted replica, the only live one, caught up 64 slots per
    // 200 ms that way and stalled its clients for seconds (chaos-local, seed 1, at 159 s).
    if (
      this.leaderDecidedBelow > this.slotOut + this.options.window &&
      this.slotOut > this.catchUpAskedAt
    ) {
      this.catchUpAskedAt = this.slotOut;
      this.fillHole();
    }
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
      this.sendSnapshot(from);
      return;
    }
    const decisions: Decided[] = [];
    const end = Math.min(this.slotOut, m.fromSlot + this.options.catchupChunk);
    let bytes = 0;
    for (let slot = m.fromSlot; slot < end; slot++) {
      const value = this.decisions.get(slot);
      if (!value) continue;
      const size = batchBytes(value) + DECIDED_OVERHEAD_BYTES;
      if (bytes + size > this.chunkBytes && decisions.length > 0) break;
      decisions.push({ slot, value });
      bytes += size;
    }
    this.ctx.send(from, { type: "catchupReply", decisions });
  }

  /** The state machine and the sessions at slotOut, in chunks that each fit in a message. */
  private sendSnapshot(to: NodeId): void {
    const parts = this.snapshotParts();
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      this.ctx.send(to, {
        type: "snapshot",
        slot: this.slotOut,
        chunk: i,
        chunks: parts.length,
        entries: part.entries,
        sessions: part.sessions,
      });
    }
  }

  private snapshotParts(): { entries: unknown[]; sessions: SessionSnapshot[] }[] {
    const parts: { entries: unknown[]; sessions: SessionSnapshot[] }[] = [
      { entries: [], sessions: [] },
    ];
    let bytes = 0;
    const room = (size: number) => {
      if (bytes + size > this.chunkBytes && bytes > 0) {
        parts.push({ entries: [], sessions: [] });
        bytes = 0;
      }
      bytes += size;
      return parts[parts.length - 1]!;
    };
    for (const entry of this.stateMachine.snapshot()) {
      room(this.stateMachine.entryBytes(entry) + 1).entries.push(entry);
    }
    // A session's results may be large (a get's value each): they are split across chunks
    // as needed, and the receiver merges the pieces of one client.
    for (const [clientId, s] of this.sessions) {
      let piece: [number, Result][] = [];
      let pieceBytes = SESSION_OVERHEAD_BYTES + clientId.length;
      const flush = () => {
        room(pieceBytes).sessions.push({ clientId, ackedBelow: s.ackedBelow, results: piece });
        piece = [];
        pieceBytes = SESSION_OVERHEAD_BYTES + clientId.length;
      };
      for (const [seq, result] of s.results) {
        const size = resultBytes(result);
        if (piece.length > 0 && pieceBytes + size > this.chunkBytes / 2) flush();
        piece.push([seq, result]);
        pieceBytes += size;
      }
      flush();
    }
    return parts;
  }

  onCatchupReply(_from: NodeId, m: MessageOf<"catchupReply">): void {
    for (const d of m.decisions) this.learn(d.slot, d.value);
    this.applyReady();
  }

  onSnapshot(from: NodeId, m: MessageOf<"snapshot">): void {
    if (m.slot <= this.slotOut) return;
    let incoming = this.incoming;
    if (
      incoming === null ||
      incoming.from !== from ||
      incoming.slot !== m.slot ||
      incoming.chunks !== m.chunks
    ) {
      // One transfer at a time: a newer one (or another peer's) replaces what was gathering.
      if (incoming !== null && incoming.slot > m.slot) return;
      incoming = { from, slot: m.slot, chunks: m.chunks, received: new Map() };
      this.incoming = incoming;
    }
    incoming.received.set(m.chunk, m);
    if (incoming.received.size < incoming.chunks) return;
    this.incoming = null;
    const entries: unknown[] = [];
    const sessions: SessionSnapshot[] = [];
    for (let i = 0; i < incoming.chunks; i++) {
      const part = incoming.received.get(i);
      if (part === undefined) return; // chunk numbers out of range: a broken peer
      for (const e of part.entries) entries.push(e);
      for (const piece of part.sessions) sessions.push(piece);
    }
    this.install(m.slot, entries, sessions);
    this.ctx.emit({ type: "snapshotInstalled", slot: m.slot, from });
    this.answerFromSessions();
    this.applyReady();
  }

  /** Replace the state with a snapshot taken after applying every slot below `slot`. */
  private install(
    slot: number,
    entries: readonly unknown[],
    sessions: readonly SessionSnapshot[],
  ): void {
    this.stateMachine.restore(entries);
    this.sessions.clear();
    this.lastActiveClient = undefined;
    for (const s of sessions) {
      const held = this.sessions.get(s.clientId);
      if (held) for (const [seq, result] of s.results) held.results.set(seq, result);
      else this.sessions.set(s.clientId, { ackedBelow: s.ackedBelow, results: new Map(s.results) });
    }
    for (const key of this.decisions.keys()) if (key < slot) this.decisions.delete(key);
    this.retainedBytes = 0;
    this.retainedSizes = [];
    this.retainedSizesHead = 0;
    this.bytesSinceSnapshot = 0;
    // Own proposals below the snapshot lost their slots; their commands go back in the queue
    // (those the snapshot already applied are filtered out when proposing).
    for (const [own, proposal] of this.proposals) {
      if (own < slot) {
        this.proposals.delete(own);
        this.requeue(proposal.value);
      }
    }
    this.slotOut = slot;
    this.retainedFrom = slot;
    this.slotIn = Math.max(this.slotIn, this.slotOut);
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
      let bytes = 2;
      while (batch.length < maxBatch && this.queueHead < this.queue.length) {
        const command = this.queue[this.queueHead]!;
        if (this.isApplied(command)) {
          this.queueHead++;
          continue;
        }
        // Bounded by bytes too, so no p2a, decision or p1b is ever too large to send; a
        // single command above the batch budget (but within the value limit) goes alone.
        const size = commandBytes(command) + 1;
        if (batch.length > 0 && bytes + size > this.options.maxBatchBytes) break;
        batch.push(command);
        bytes += size;
        this.queueHead++;
      }
      if (batch.length === 0) break;
      rememberBatchBytes(batch, bytes);
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
    // Decisions far ahead would pile up unbounded while a hole stays open: keep those within
    // retainSlots of it; the rest come again by catch-up once the hole is filled.
    if (slot >= this.slotOut + this.options.retainSlots) return;
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
      const size = batchBytes(value);
      this.retainedSizes.push(size);
      this.retainedBytes += size;
      this.bytesSinceSnapshot += size;
      this.forgetApplied();
      if (
        this.slotOut - this.snapshotSlot >= this.options.snapshotEverySlots ||
        this.bytesSinceSnapshot >= this.options.snapshotEveryBytes
      ) {
        this.takeSnapshot();
      }
      value = this.decisions.get(this.slotOut);
    }
    // Only progress resets the hole timer: while traffic flows past a hole, it stays a hole.
    if (this.slotOut > startedAt) this.stuckSince = NO_WAKE;
    if (this.slotIn < this.slotOut) this.slotIn = this.slotOut;
    this.checkStuck();
    this.propose();
  }

  /** Keep at most retainSlots applied decisions and retainBytes of them, for catch-up. */
  private forgetApplied(): void {
    const { retainSlots, retainBytes } = this.options;
    while (
      this.retainedFrom < this.slotOut &&
      (this.slotOut - this.retainedFrom > retainSlots || this.retainedBytes > retainBytes)
    ) {
      this.decisions.delete(this.retainedFrom);
      this.retainedBytes -= this.retainedSizes[this.retainedSizesHead++] ?? 0;
      this.retainedFrom++;
      if (this.retainedSizesHead > 1024 && this.retainedSizesHead * 2 > this.retainedSizes.length) {
        this.retainedSizes = this.retainedSizes.slice(this.retainedSizesHead);
        this.retainedSizesHead = 0;
      }
    }
  }

  /**
   * Persist the state machine and the sessions at slotOut, then tell the leaders (the message
   * leaves only once the snapshot is durable: persist, then send). Leaders use the reports to
   * let acceptors forget (roles/forget-rule.ts); the host keeps only the latest snapshot.
   */
  /**
   * Take a snapshot now if anything was applied since the last one (a host calls this on a
   * graceful stop, so the next start reads a snapshot rather than replaying the log).
   */
  snapshotNow(): boolean {
    if (this.slotOut === this.snapshotSlot) return false;
    this.takeSnapshot();
    return true;
  }

  private takeSnapshot(): void {
    const entries = this.stateMachine.snapshot();
    const sessions: SessionSnapshot[] = [];
    for (const [clientId, s] of this.sessions) {
      sessions.push({ clientId, ackedBelow: s.ackedBelow, results: [...s.results] });
    }
    const slot = this.slotOut;
    this.ctx.persist({ type: "snapshot", slot, entries, sessions });
    this.ctx.emit({ type: "snapshotTaken", slot, bytes: this.bytesSinceSnapshot });
    this.snapshotSlot = slot;
    this.bytesSinceSnapshot = 0;
    this.reportSnapshot(slot);
  }

  private reportSnapshot(slot: number): void {
    const report = { type: "snapshotted", slot } as const;
    for (const leader of this.ctx.cluster.leaders) this.ctx.send(leader, report);
  }

  private execute(slot: number, command: Command): void {
    // A replica no client talks to (a follower under one busy leader) holds nothing pending
    // or awaited: skip the lookups for every command it applies.
    if (this.pending.size > 0) this.pending.delete(command.clientId, command.seq);
    let session = this.sessions.get(command.clientId);
    if (!session) {
      if (command.ackedBelow > 0) {
        // The client has had answers before, yet no session is left: it was forgotten (the
        // table is bounded). This command may be a retry of one applied back then, so it is
        // not executed again; every replica decides the same at this slot.
        this.answerRefused(
          command,
          `the session of client ${command.clientId} expired (more than ${this.options.maxSessions} clients since): the outcome of its unanswered operations is unknown`,
          true,
        );
        return;
      }
      session = { ackedBelow: 0, results: new Map() };
      this.sessions.set(command.clientId, session);
      if (this.sessions.size > this.options.maxSessions) {
        const oldest = this.sessions.keys().next();
        if (!oldest.done) this.sessions.delete(oldest.value);
      }
    } else if (this.lastActiveClient !== command.clientId) {
      // Least recently active first: move this session to the end (unless it is there).
      this.sessions.delete(command.clientId);
      this.sessions.set(command.clientId, session);
    }
    this.lastActiveClient = command.clientId;
    if (command.seq < session.ackedBelow || session.results.has(command.seq)) return;
    const result = this.stateMachine.apply(command.op);
    session.results.set(command.seq, result);
    if (command.ackedBelow > session.ackedBelow) {
      session.ackedBelow = command.ackedBelow;
      // Results are kept in execution order, which is nearly seq order: drop from the front
      // while acknowledged rather than scanning every result (one per outstanding request) for
      // every command. One executed out of order waits until those before it go; every replica
      // executes the same log, so all keep the same results (snapshots stay equal).
      for (const seq of session.results.keys()) {
        if (seq >= session.ackedBelow) break;
        session.results.delete(seq);
      }
    }
    this.ctx.emit({ type: "executed", slot, command, result });
    const waiting =
      this.awaiting.size === 0 ? undefined : this.awaiting.get(command.clientId, command.seq);
    if (waiting !== undefined) this.respond(waiting, result);
  }

  private answerRefused(command: Command, reason: string, maybeApplied: boolean): void {
    const waiting = this.awaiting.get(command.clientId, command.seq);
    if (waiting === undefined) return;
    this.awaiting.delete(command.clientId, command.seq);
    this.refuse(waiting.client, command, reason, maybeApplied);
  }

  private respond(to: Awaiting, result: Result): void {
    this.awaiting.delete(to.clientId, to.seq);
    const hint = this.leaderHint;
    this.ctx.send(
      to.client,
      hint !== null && hint !== this.ctx.id && this.otherReplicas.includes(hint)
        ? { type: "response", clientId: to.clientId, seq: to.seq, result, leader: hint }
        : { type: "response", clientId: to.clientId, seq: to.seq, result },
    );
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
    for (const c of again) this.pending.set(c.clientId, c.seq, true);
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

function resultBytes(result: Result): number {
  const value = "value" in result && result.value !== null ? result.value.length * 6 + 2 : 4;
  return 64 + value;
}
