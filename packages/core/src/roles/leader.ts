import type { NodeId } from "@paxos/quorum-system";
import { type Ballot, BOTTOM, compareBallots } from "../ballot.js";
import type { Batch } from "../command.js";
import type { LeaderOptions } from "../config.js";
import type { RoleContext } from "../context.js";
import type { PersistRecord } from "../effects.js";
import type { MessageOf, PValue } from "../messages.js";
import { batchBytes } from "../size.js";
import { safeToForgetBelow } from "./forget-rule.js";

type LeaderState = "follower" | "scouting" | "active";

/** Phase 1 in progress: the scout of PMMC. */
interface Scout {
  /** acceptors whose whole p1b (every chunk) arrived */
  readonly ackers: Set<NodeId>;
  /** chunks received so far per acceptor, for the answer marked with `trimmedBelow` */
  readonly partial: Map<NodeId, { trimmedBelow: number; chunks: Set<number> }>;
  /** the highest `trimmedBelow` any acceptor reported: every slot below it is decided */
  trimmedBelow: number;
  /** pmax: for each slot, the highest-ballot pvalue any acker reported */
  readonly adopted: Map<number, PValue>;
  readonly fromSlot: number;
  sentAt: number;
}

/** Phase 2 in progress for one slot: the commander of PMMC. */
interface Commander {
  readonly value: Batch;
  readonly ackers: Set<NodeId>;
  sentAt: number;
}

const NO_WAKE = Number.POSITIVE_INFINITY;

/**
 * The leader of Paxos Made Moderately Complex, with the parts the paper leaves to the reader:
 *
 * - Scout and commanders live inside the leader as plain records rather than processes.
 * - A preempted leader does not fight back at once (two leaders would duel forever). It
 *   follows the owner of the higher ballot, and only when that leader's heartbeats stop for
 *   a timeout (doubled on every failed attempt, capped, plus seeded jitter) does it run a
 *   new scout.
 * - An active leader heartbeats to acceptors, which answer with their promise; it tells the
 *   other leaders and the replicas it is alive only while a phase-2 quorum of acceptors keeps
 *   answering, so a leader cut off from the acceptors lets another take over.
 * - The leader tracks the prefix of decided slots; phase 1 asks acceptors only for pvalues at
 *   or above it, and after adoption it fills holes below the highest adopted slot with no-ops
 *   so no replica waits forever for a slot nobody proposes.
 * - Its highest round is persisted before a p1a leaves, so a restarted leader never reuses a
 *   ballot with a different value.
 */
export class Leader {
  private state: LeaderState = "follower";
  private ballot: Ballot;
  /** highest ballot seen from anyone; a new attempt goes above it */
  private highestSeen: Ballot = BOTTOM;
  private maxRoundUsed = 0;
  private scout: Scout | null = null;
  private readonly commanders = new Map<number, Commander>();
  /** values waiting for a slot's decision: replicas' proposals and adopted pvalues */
  private readonly proposals = new Map<number, Batch>();
  /** every slot below this is decided */
  private decidedBelow = 0;
  /** decided slots at or above decidedBelow */
  private readonly decidedAbove = new Set<number>();
  /** when this leader last re-ran phase 1 to read back a decision (recover) */
  private recoveredAt = Number.NEGATIVE_INFINITY;
  /** the highest slot this leader has run phase 2 for */
  private highestSlot = -1;
  /** this leader's latest decisions, oldest first, to resend one a replica missed */
  private readonly recentDecisions = new Map<number, Batch>();
  private recentDecisionBytes = 0;
  /** the decided prefix last persisted: a restarted leader scouts from there */
  private persistedDecidedBelow = 0;
  /** acceptors (some of them) forgot every pvalue below this: never recover below it */
  private trimmedBelow = 0;
  /** each replica's latest durable snapshot, from its `snapshotted` reports */
  private readonly snapshotAt = new Map<NodeId, number>();
  /** the latest `trim` this leader sent */
  private trimSent = 0;
  /** follower: when to try to lead if no heartbeat arrives before */
  private electionAt: number;
  /** consecutive failed attempts to lead, for the backoff */
  private failedAttempts = 0;
  private nextHeartbeatAt = NO_WAKE;
  private nextRetryAt = NO_WAKE;
  /** when each acceptor last answered this leader's current ballot */
  private readonly acceptorHeardAt = new Map<NodeId, number>();
  /** heartbeats go to every acceptor, and to the other leaders and replicas while useful */
  private readonly acceptorTargets: readonly NodeId[];
  private readonly followerTargets: readonly NodeId[];

  constructor(
    private readonly ctx: RoleContext,
    private readonly options: LeaderOptions,
    recovered: readonly PersistRecord[] = [],
  ) {
    for (const record of recovered) {
      if (record.type === "round") this.maxRoundUsed = Math.max(this.maxRoundUsed, record.round);
      else if (record.type === "decided")
        this.decidedBelow = Math.max(this.decidedBelow, record.below);
    }
    this.persistedDecidedBelow = this.decidedBelow;
    this.ballot = { round: this.maxRoundUsed, leader: ctx.id };
    const { cluster } = ctx;
    this.acceptorTargets = cluster.quorum.acceptors;
    const acceptors = new Set(cluster.quorum.acceptors);
    this.followerTargets = [...new Set([...cluster.leaders, ...cluster.replicas])].filter(
      (id) => id !== ctx.id && !acceptors.has(id),
    );
    // Leaders take turns by rank at start-up: the first tries at once, the others wait as if
    // they had lost an election, so a fresh cluster does not begin with a duel.
    const rank = Math.max(0, cluster.leaders.indexOf(ctx.id));
    this.electionAt = ctx.now + rank * ctx.timing.leaderTimeoutMs;
  }

  get isActive(): boolean {
    return this.state === "active";
  }

  get currentBallot(): Ballot {
    return this.ballot;
  }

  get decidedPrefix(): number {
    return this.decidedBelow;
  }

  get pendingSlots(): number {
    return this.commanders.size;
  }

  onPropose(from: NodeId, m: MessageOf<"propose">): void {
    if (this.isDecided(m.slot)) {
      // The replica has not learned this decision yet, or lost it: send it again.
      const value = this.recentDecisions.get(m.slot);
      if (value) this.ctx.send(from, { type: "decision", slot: m.slot, value });
      else this.recover(m.slot);
      if (!value || !sameCommands(value, m.value)) this.relocate(m.value);
      return;
    }
    const held = this.proposals.get(m.slot);
    if (held === undefined) {
      this.proposals.set(m.slot, m.value);
      if (this.state === "active") this.command(m.slot, m.value);
    } else if (!sameCommands(held, m.value)) {
      this.relocate(m.value);
    }
  }

  /**
   * PMMC's replicas race for slots, and the replica beside the leader always wins the race: a
   * replica further away would lose every slot it proposes into, re-propose, and lose again,
   * for ever. So an active leader gives a batch that lost its slot the next slot nobody has
   * asked for. The losing replica still re-proposes its commands when it learns the decision;
   * de-duplication at apply time makes the second copy harmless.
   */
  private relocate(value: Batch): void {
    if (this.state !== "active" || value.length === 0) return;
    let slot = Math.max(this.highestSlot + 1, this.decidedBelow);
    while (this.proposals.has(slot) || this.isDecided(slot)) slot++;
    this.proposals.set(slot, value);
    this.command(slot, value);
  }

  onP1b(from: NodeId, m: MessageOf<"p1b">): void {
    const order = compareBallots(m.ballot, this.ballot);
    if (order > 0) {
      this.preempt(m.ballot);
      return;
    }
    const scout = this.scout;
    if (order < 0 || this.state !== "scouting" || scout === null) return;
    this.acceptorHeardAt.set(from, this.ctx.now);
    if (m.trimmedBelow > scout.trimmedBelow) scout.trimmedBelow = m.trimmedBelow;
    if (!scout.ackers.has(from)) {
      // The chunks of one answer belong together. Between two answers to the same ballot an
      // acceptor can only have forgotten more (it accepts nothing under a ballot that is not
      // active yet), so an answer with a higher mark replaces the chunks of an older one.
      let partial = scout.partial.get(from);
      if (partial === undefined || m.trimmedBelow > partial.trimmedBelow) {
        partial = { trimmedBelow: m.trimmedBelow, chunks: new Set() };
        scout.partial.set(from, partial);
      }
      if (m.trimmedBelow === partial.trimmedBelow) partial.chunks.add(m.chunk);
      if (partial.chunks.size >= m.chunks) {
        scout.partial.delete(from);
        scout.ackers.add(from);
      }
    }
    for (const pvalue of m.accepted) {
      const held = scout.adopted.get(pvalue.slot);
      if (!held || compareBallots(pvalue.ballot, held.ballot) > 0) {
        scout.adopted.set(pvalue.slot, pvalue);
      }
    }
    if (this.ctx.cluster.quorum.isPhase1Quorum(scout.ackers)) this.adopt(scout);
  }

  onP2b(from: NodeId, m: MessageOf<"p2b">): void {
    const order = compareBallots(m.ballot, this.ballot);
    if (order > 0) {
      this.preempt(m.ballot);
      return;
    }
    if (order < 0 || this.state !== "active") return;
    this.acceptorHeardAt.set(from, this.ctx.now);
    const commander = this.commanders.get(m.slot);
    if (!commander) return;
    commander.ackers.add(from);
    if (this.ctx.cluster.quorum.isPhase2Quorum(commander.ackers)) {
      this.decide(m.slot, commander.value);
    }
  }

  onHeartbeat(from: NodeId, m: MessageOf<"heartbeat">): void {
    if (from === this.ctx.id) return;
    this.learnDecidedBelow(m.decidedBelow);
    const order = compareBallots(m.ballot, this.ballot);
    if (order > 0) {
      if (this.state !== "follower") this.preempt(m.ballot);
      this.noteBallot(m.ballot);
      // A live leader with a higher ballot: the contention is over, back off from scratch.
      this.failedAttempts = 0;
      this.electionAt = this.ctx.now + this.electionTimeout();
    }
  }

  /**
   * A replica holds a durable snapshot at `slot`: every slot below is decided, and once a
   * majority of replicas hold one, acceptors may forget below it (roles/forget-rule.ts).
   */
  onSnapshotted(from: NodeId, m: MessageOf<"snapshotted">): void {
    if (m.slot > (this.snapshotAt.get(from) ?? 0)) this.snapshotAt.set(from, m.slot);
    this.learnDecidedBelow(m.slot);
    if (this.state !== "active") return;
    const below = Math.min(
      safeToForgetBelow(this.snapshotAt, this.ctx.cluster.replicas),
      this.decidedBelow,
    );
    if (below <= this.trimSent) return;
    this.trimSent = below;
    if (below > this.trimmedBelow) this.trimmedBelow = below;
    const trim = { type: "trim", below } as const;
    for (const acceptor of this.ctx.cluster.quorum.acceptors) this.ctx.send(acceptor, trim);
  }

  /** Records that rebuild this leader's durable state as it is now (for log compaction). */
  checkpoint(): PersistRecord[] {
    const records: PersistRecord[] = [];
    if (this.maxRoundUsed > 0) records.push({ type: "round", round: this.maxRoundUsed });
    if (this.persistedDecidedBelow > 0)
      records.push({ type: "decided", below: this.persistedDecidedBelow });
    return records;
  }

  onHeartbeatAck(from: NodeId, m: MessageOf<"heartbeatAck">): void {
    const order = compareBallots(m.ballot, this.ballot);
    if (order > 0) {
      this.preempt(m.ballot);
      return;
    }
    if (order === 0) this.acceptorHeardAt.set(from, this.ctx.now);
  }

  tick(): void {
    const now = this.ctx.now;
    if (this.state === "follower") {
      if (now >= this.electionAt) this.startScout();
      return;
    }
    if (now >= this.nextRetryAt) this.retransmit();
    if (this.state === "active" && now >= this.nextHeartbeatAt) this.heartbeat();
  }

  nextWakeAt(): number {
    if (this.state === "follower") return this.electionAt;
    return Math.min(this.nextRetryAt, this.nextHeartbeatAt);
  }

  /**
   * A replica is stuck on a slot this leader knows only as decided (from another leader's
   * heartbeat) and every replica that learned its value is gone. The acceptors still hold it:
   * phase 1 from that slot reads it back, because the highest-ballot pvalue a phase-1 quorum
   * reports for a chosen slot is the chosen value.
   */
  private recover(slot: number): void {
    const now = this.ctx.now;
    // Right after a change of leader, replicas still propose into slots the old leader
    // decided; one re-read per leader timeout is plenty.
    if (this.state !== "active" || now - this.recoveredAt < this.ctx.timing.leaderTimeoutMs) return;
    // Below the acceptors' mark the value lives on only in replicas: they catch up from each
    // other (a snapshot), not from here.
    if (slot < this.trimmedBelow) return;
    this.recoveredAt = now;
    this.startScout(slot);
  }

  private startScout(fromSlot = this.decidedBelow): void {
    const round = Math.max(this.highestSeen.round, this.maxRoundUsed) + 1;
    this.maxRoundUsed = round;
    this.ctx.persist({ type: "round", round });
    this.ballot = { round, leader: this.ctx.id };
    this.state = "scouting";
    this.commanders.clear();
    this.acceptorHeardAt.clear();
    this.scout = {
      ackers: new Set(),
      partial: new Map(),
      trimmedBelow: 0,
      adopted: new Map(),
      fromSlot,
      sentAt: this.ctx.now,
    };
    const p1a = { type: "p1a", ballot: this.ballot, fromSlot } as const;
    for (const acceptor of this.ctx.cluster.quorum.acceptors) this.ctx.send(acceptor, p1a);
    this.nextRetryAt = this.ctx.now + this.ctx.timing.p1aRetryMs;
    this.nextHeartbeatAt = NO_WAKE;
  }

  /** Phase 1 succeeded: re-propose what acceptors may have chosen (pmax), then everything else. */
  private adopt(scout: Scout): void {
    this.state = "active";
    this.scout = null;
    this.failedAttempts = 0;
    // Some acceptor of the quorum forgot everything below its mark: those slots are decided,
    // and nobody may propose there again (roles/forget-rule.ts).
    if (scout.trimmedBelow > this.trimmedBelow) this.trimmedBelow = scout.trimmedBelow;
    this.learnDecidedBelow(scout.trimmedBelow);
    let highestAdopted = -1;
    for (const [slot, pvalue] of scout.adopted) {
      if (this.isDecided(slot)) {
        // Read back for a replica that lost it (recover): this is the chosen value, but only
        // where no acceptor of the quorum forgot the slot (below the mark, the highest pvalue
        // the others report may be an older, unchosen one).
        if (slot >= scout.trimmedBelow && !this.recentDecisions.has(slot))
          this.announce(slot, pvalue.value);
        continue;
      }
      this.proposals.set(slot, pvalue.value);
      if (slot > highestAdopted) highestAdopted = slot;
    }
    for (let slot = this.decidedBelow; slot < highestAdopted; slot++) {
      if (!this.isDecided(slot) && !this.proposals.has(slot)) this.proposals.set(slot, []);
    }
    for (const [slot, value] of this.proposals) {
      if (this.isDecided(slot)) this.proposals.delete(slot);
      else this.command(slot, value);
    }
    this.ctx.emit({ type: "leadership", ballot: this.ballot, active: true });
    this.nextRetryAt = this.ctx.now + this.ctx.timing.p2aRetryMs;
    this.heartbeat();
  }

  private command(slot: number, value: Batch): void {
    if (slot > this.highestSlot) this.highestSlot = slot;
    const ackers = new Set<NodeId>();
    this.commanders.set(slot, { value, ackers, sentAt: this.ctx.now });
    const p2a = { type: "p2a", ballot: this.ballot, slot, value } as const;
    const { quorum } = this.ctx.cluster;
    const targets = this.options.thrifty ? quorum.phase2Targets() : quorum.acceptors;
    for (const acceptor of targets) this.ctx.send(acceptor, p2a);
  }

  private decide(slot: number, value: Batch): void {
    this.commanders.delete(slot);
    this.proposals.delete(slot);
    this.markDecided(slot);
    this.announce(slot, value);
  }

  /** Tell every replica a decision, and keep it a while for replicas that miss it. */
  private announce(slot: number, value: Batch): void {
    if (!this.recentDecisions.has(slot)) {
      this.recentDecisions.set(slot, value);
      this.recentDecisionBytes += batchBytes(value);
    }
    const { retainDecisions, retainDecisionBytes } = this.options;
    while (
      this.recentDecisions.size > retainDecisions ||
      (this.recentDecisionBytes > retainDecisionBytes && this.recentDecisions.size > 1)
    ) {
      const [oldest, batch] = this.recentDecisions.entries().next().value!;
      this.recentDecisions.delete(oldest);
      this.recentDecisionBytes -= batchBytes(batch);
    }
    const decision = { type: "decision", slot, value } as const;
    for (const replica of this.ctx.cluster.replicas) this.ctx.send(replica, decision);
  }

  /** A higher ballot exists: stop, follow its owner, and try again only if it goes quiet. */
  private preempt(ballot: Ballot): void {
    this.noteBallot(ballot);
    // A follower already waits on the active leader's heartbeats; late answers to its old
    // ballot change nothing.
    if (this.state === "follower") return;
    if (this.state === "active") {
      this.ctx.emit({ type: "leadership", ballot: this.ballot, active: false });
    }
    this.state = "follower";
    this.scout = null;
    this.commanders.clear();
    this.nextRetryAt = NO_WAKE;
    this.nextHeartbeatAt = NO_WAKE;
    this.failedAttempts++;
    this.electionAt = this.ctx.now + this.electionTimeout();
  }

  private electionTimeout(): number {
    const { leaderTimeoutMs, electionBackoffMaxMs } = this.ctx.timing;
    const base = Math.min(leaderTimeoutMs * 2 ** this.failedAttempts, electionBackoffMaxMs);
    return base + Math.floor(this.ctx.rng.next() * leaderTimeoutMs);
  }

  private retransmit(): void {
    const { now, timing, cluster } = this.ctx;
    if (this.state === "scouting" && this.scout) {
      const p1a = { type: "p1a", ballot: this.ballot, fromSlot: this.scout.fromSlot } as const;
      for (const acceptor of cluster.quorum.acceptors) {
        if (!this.scout.ackers.has(acceptor)) this.ctx.send(acceptor, p1a);
      }
      this.nextRetryAt = now + timing.p1aRetryMs;
      return;
    }
    // Commanders that waited a full retry period resend to every acceptor that has not
    // answered (not only the thrifty targets: one of those may be down).
    for (const [slot, commander] of this.commanders) {
      if (now - commander.sentAt < timing.p2aRetryMs) continue;
      commander.sentAt = now;
      const p2a = { type: "p2a", ballot: this.ballot, slot, value: commander.value } as const;
      for (const acceptor of cluster.quorum.acceptors) {
        if (!commander.ackers.has(acceptor)) this.ctx.send(acceptor, p2a);
      }
    }
    this.nextRetryAt = now + timing.p2aRetryMs;
  }

  private heartbeat(): void {
    const { now, timing, cluster } = this.ctx;
    const heartbeat = {
      type: "heartbeat",
      ballot: this.ballot,
      decidedBelow: this.decidedBelow,
    } as const;
    // Acceptors are always probed; followers hear from us only while we can reach a phase-2
    // quorum, so a leader cut off from the acceptors does not hold the others back.
    const fresh: NodeId[] = [];
    for (const [acceptor, heardAt] of this.acceptorHeardAt) {
      if (now - heardAt <= timing.leaderTimeoutMs) fresh.push(acceptor);
    }
    for (const target of this.acceptorTargets) this.ctx.send(target, heartbeat);
    if (cluster.quorum.isPhase2Quorum(fresh)) {
      for (const target of this.followerTargets) this.ctx.send(target, heartbeat);
    }
    this.nextHeartbeatAt = now + timing.heartbeatIntervalMs;
  }

  private noteBallot(ballot: Ballot): void {
    if (compareBallots(ballot, this.highestSeen) > 0) this.highestSeen = ballot;
  }

  private isDecided(slot: number): boolean {
    return slot < this.decidedBelow || this.decidedAbove.has(slot);
  }

  private markDecided(slot: number): void {
    if (slot < this.decidedBelow) return;
    this.decidedAbove.add(slot);
    while (this.decidedAbove.delete(this.decidedBelow)) this.decidedBelow++;
    this.persistDecided();
  }

  /**
   * Persist the decided prefix now and then, so a restarted leader's phase 1 starts near the
   * end of the log rather than at slot 0 and its p1b stay a bounded size.
   */
  /** Persist the decided prefix now, if it grew since it was last persisted. */
  persistDecidedNow(): boolean {
    if (this.decidedBelow === this.persistedDecidedBelow) return false;
    this.persistedDecidedBelow = this.decidedBelow;
    this.ctx.persist({ type: "decided", below: this.decidedBelow });
    return true;
  }

  private persistDecided(): void {
    if (this.decidedBelow - this.persistedDecidedBelow < this.options.persistDecidedEverySlots)
      return;
    this.persistedDecidedBelow = this.decidedBelow;
    this.ctx.persist({ type: "decided", below: this.decidedBelow });
  }

  /** Another leader reports a decided prefix: those slots are chosen, forget them. */
  private learnDecidedBelow(slot: number): void {
    if (slot <= this.decidedBelow) return;
    for (const s of this.decidedAbove) if (s < slot) this.decidedAbove.delete(s);
    for (const s of this.proposals.keys()) if (s < slot) this.proposals.delete(s);
    for (const s of this.commanders.keys()) if (s < slot) this.commanders.delete(s);
    this.decidedBelow = slot;
    while (this.decidedAbove.delete(this.decidedBelow)) this.decidedBelow++;
    this.persistDecided();
  }
}

/** Two batches hold the same commands, in the same order (compared by clientId and seq). */
function sameCommands(a: Batch, b: Batch): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.clientId !== y.clientId || x.seq !== y.seq) return false;
  }
  return true;
}
