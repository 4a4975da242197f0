import type { NodeId } from "@paxos/quorum-system";
import { type Ballot, BOTTOM, compareBallots } from "../ballot.js";
import { type Batch, sameBatch } from "../command.js";
import type { LeaderOptions } from "../config.js";
import type { RoleContext } from "../context.js";
import type { PersistRecord } from "../effects.js";
import type { MessageOf, PValue } from "../messages.js";
import { batchBytes } from "../size.js";
import { AcceptorHealth } from "./acceptor-health.js";
import { backoffMs } from "./backoff.js";
import { safeToForgetBelow } from "./forget-rule.js";
import { liveWindowMs, PreVoteRound } from "./prevote.js";
import { thriftyTargets } from "./thrifty.js";

type LeaderState = "follower" | "prevoting" | "scouting" | "active";

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
  /** p1a resends so far, for the backoff */
  retries: number;
  /** a scout that has no phase-1 quorum by then gives up and goes back to following */
  giveUpAt: number;
}

/** Phase 2 in progress for one slot: the commander of PMMC. */
interface Commander {
  readonly value: Batch;
  readonly ackers: Set<NodeId>;
  /** the acceptors the first p2a went to (all of them, or the thrifty targets) */
  readonly sentTo: readonly NodeId[];
  sentAt: number;
  /** p2a resends so far: each waits twice as long as the one before (capped) */
  retries: number;
}

const NO_WAKE = Number.POSITIVE_INFINITY;

/**
 * A commit waits at most this long for a p2a to the same node to ride with. A commit is on no
 * one's critical path (the client's replica is this leader's own, which learns in-process),
 * while a frame of its own costs the follower a wake-up and every host a write: under a light
 * load, sending each commit alone made two of the seven frames of every command.
 */
export const COMMIT_DELAY_MS = 2;

/**
 * What a leader resends at once to a replica that proposed into a decided slot: the decisions
 * it holds from that slot on, up to this many slots and (past the first) this many bytes.
 */
const RESEND_DECISIONS = 64;
const RESEND_DECISION_BYTES = 1024 * 1024;

/**
 * The leader of Paxos Made Moderately Complex, with the parts the paper leaves to the reader:
 *
 * - Scout and commanders live inside the leader as plain records rather than processes.
 * - A preempted leader does not fight back at once (two leaders would duel forever). It
 *   follows the owner of the higher ballot, and only when that leader's heartbeats stop for
 *   a timeout (doubled on every failed attempt, capped, plus seeded jitter) does it try again.
 * - Trying starts with PreVote (prevote.ts): only when a phase-1 quorum of acceptors says it
 *   hears no live leader does the scout send p1a, so a node that was cut off or restarted
 *   never deposes a leader that is alive. The scout resends p1a with capped exponential
 *   backoff and jitter, and gives up after a leader timeout.
 * - An active leader probes every acceptor and replica node each heartbeat interval. Only
 *   while a phase-2 quorum of acceptors and some replica answer it ("a live quorum") does it
 *   send heartbeats, the one message that holds other leaders off, to everyone. A probe holds
 *   no one off, whatever roles share the node that receives it.
 * - Thrifty quorums, in phase 2 and phase 1, are drawn from acceptors that answered recently
 *   (acceptor-health.ts, thrifty.ts); a target that stops answering is replaced at once, and
 *   every acceptor is addressed while too few are known healthy.
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
  private readonly recentDecisions = new Map<number, { value: Batch; bytes: number }>();
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
  /** commits held back for the next p2a to their node (COMMIT_DELAY_MS), by node */
  private readonly heldCommits = new Map<NodeId, MessageOf<"commit">[]>();
  /**
   * decided slots whose p2a went to nodes that had not acked when the quorum was reached: such
   * a node gets a commit if its p2b comes within COMMIT_DELAY_MS, else the value itself
   */
  private readonly lateAcks = new Map<number, { value: Batch; nodes: Set<NodeId> }>();
  /** when held commits, and the values of late acks, go out at the latest */
  private flushCommitsAt = NO_WAKE;
  /** which acceptors answer, which stopped */
  private readonly health: AcceptorHealth;
  /** when each replica node last answered (or proposed) */
  private readonly replicaHeardAt = new Map<NodeId, number>();
  private prevote: PreVoteRound | null = null;
  /** thrifty phase-2 targets; null: address every acceptor (in doubt, or not thrifty) */
  private p2Targets: NodeId[] | null = null;
  /** probes go to acceptor and replica nodes; heartbeats to those and the other leaders */
  private readonly probeTargets: readonly NodeId[];
  private readonly heartbeatTargets: readonly NodeId[];
  private readonly hostsReplica: boolean;

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
    const { cluster, timing } = ctx;
    this.health = new AcceptorHealth(liveWindowMs(timing), timing.p2aRetryMs);
    // This node is among the targets when it hosts an acceptor or a replica: the message
    // stays inside the node, and its acceptor must hear its own leader is live too.
    this.probeTargets = [...new Set([...cluster.quorum.acceptors, ...cluster.replicas])];
    this.heartbeatTargets = [
      ...new Set([...this.probeTargets, ...cluster.leaders.filter((id) => id !== ctx.id)]),
    ];
    this.hostsReplica = cluster.replicas.includes(ctx.id);
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

  /**
   * Decisions of the replica beside this leader, if any (set by PaxosNode): a leader learns of
   * slots decided by others only as "decided", without their values.
   */
  localDecisions: ((slot: number) => Batch | undefined) | undefined;

  /** A decided slot's value, from this leader's own recent decisions or its node's replica. */
  private heldDecision(slot: number): Batch | undefined {
    return this.recentDecisions.get(slot)?.value ?? this.localDecisions?.(slot);
  }

  get decidedPrefix(): number {
    return this.decidedBelow;
  }

  get pendingSlots(): number {
    return this.commanders.size;
  }

  onPropose(from: NodeId, m: MessageOf<"propose">): void {
    this.replicaHeardAt.set(from, this.ctx.now);
    if (this.isDecided(m.slot)) {
      // The replica has not learned this decision yet, or lost it: send it again, and the
      // decisions after it this leader still holds. A replica proposes into the first slot it
      // lacks; after a long partition it may lack hundreds, and one decision per round trip
      // left it minutes behind (and its clients waiting) once the partition healed.
      const value = this.heldDecision(m.slot);
      if (value) {
        this.ctx.send(from, { type: "decision", slot: m.slot, value });
        let bytes = 0;
        for (let s = m.slot + 1; s < m.slot + RESEND_DECISIONS && this.isDecided(s); s++) {
          const next = this.heldDecision(s);
          if (next === undefined) break;
          bytes += batchBytes(next);
          if (bytes > RESEND_DECISION_BYTES) break;
          this.ctx.send(from, { type: "decision", slot: s, value: next });
        }
      } else this.recover(m.slot);
      if (!value || !sameBatch(value, m.value)) this.relocate(m.value);
      return;
    }
    const held = this.proposals.get(m.slot);
    if (held === undefined) {
      this.proposals.set(m.slot, m.value);
      if (this.state === "active") this.command(m.slot, m.value);
    } else if (!sameBatch(held, m.value)) {
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
    this.health.heard(from, this.ctx.now);
    const scout = this.scout;
    if (order < 0 || this.state !== "scouting" || scout === null) return;
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
      // An answer in chunks is progress: a large p1b takes a while to arrive, and giving up
      // (or asking again) meanwhile would only bring more of them.
      scout.giveUpAt = Math.max(scout.giveUpAt, this.ctx.now + this.ctx.timing.leaderTimeoutMs);
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
    this.health.heard(from, this.ctx.now);
    // A refusal of an older p2a of ours can carry our current ballot (the acceptor promised it
    // since): it is not an acceptance of this ballot's p2a (simulator, majority3 seed 571).
    if (order < 0 || !m.accepted || this.state !== "active") return;
    const commander = this.commanders.get(m.slot);
    if (!commander) {
      if (this.lateAcks.size > 0) this.onLateAck(from, m.slot);
      return;
    }
    commander.ackers.add(from);
    if (this.ctx.cluster.quorum.isPhase2Quorum(commander.ackers)) {
      this.decide(m.slot, commander);
    }
  }

  /**
   * A heartbeat comes only from a leader with a live quorum. Followers and would-be leaders
   * follow it whatever its ballot (a lower one is deposed by the acceptors' answers soon
   * enough); a scout or an active leader yields only to a higher ballot.
   */
  onHeartbeat(from: NodeId, m: MessageOf<"heartbeat">): void {
    if (from === this.ctx.id) return;
    this.learnDecidedBelow(m.decidedBelow);
    const order = compareBallots(m.ballot, this.ballot);
    if (order > 0 && (this.state === "scouting" || this.state === "active")) {
      this.preempt(m.ballot);
    }
    this.noteBallot(m.ballot);
    if (this.state === "follower" || this.state === "prevoting") {
      this.state = "follower";
      this.prevote = null;
      // A live leader: the contention is over, back off from scratch.
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
    // A held commit must not arrive after the trim: its value would be forgotten by then.
    if (this.heldCommits.size > 0 || this.lateAcks.size > 0) this.flushCommits();
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

  /** A node answered a probe or a heartbeat: its acceptor's promise, or bottom. */
  onProbeAck(from: NodeId, m: MessageOf<"probeAck">): void {
    const now = this.ctx.now;
    if (this.ctx.cluster.replicas.includes(from)) this.replicaHeardAt.set(from, now);
    if (!this.ctx.cluster.quorum.acceptors.includes(from)) return;
    if (compareBallots(m.ballot, this.ballot) > 0) {
      this.preempt(m.ballot);
      return;
    }
    this.health.heard(from, now);
  }

  onPrevoteReply(from: NodeId, m: MessageOf<"prevoteReply">): void {
    this.health.heard(from, this.ctx.now);
    this.noteBallot(m.ballot);
    const round = this.prevote;
    if (this.state !== "prevoting" || round === null) return;
    round.answer(from, m.granted);
    if (round.won) this.startScout();
    else if (round.lost) this.failAttempt(false);
  }

  tick(): void {
    const now = this.ctx.now;
    if (now >= this.flushCommitsAt) this.flushCommits();
    if (this.state === "follower") {
      if (now >= this.electionAt) this.startPrevote();
      return;
    }
    if (now >= this.nextRetryAt) this.retransmit();
    if (this.state === "active") {
      if (now >= this.nextHeartbeatAt) this.heartbeat();
      this.checkTargets(true);
    }
  }

  nextWakeAt(): number {
    if (this.state === "follower") return Math.min(this.electionAt, this.flushCommitsAt);
    let at = Math.min(this.nextRetryAt, this.nextHeartbeatAt, this.flushCommitsAt);
    if (this.state === "active" && this.p2Targets !== null && this.commanders.size > 0) {
      at = Math.min(at, this.health.nextSuspicionAt(this.p2Targets, this.ctx.now));
    }
    return at;
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

  /** Ask the acceptors whether they would promise, before raising anyone's promise. */
  private startPrevote(): void {
    const { now, timing, cluster } = this.ctx;
    const round = Math.max(this.highestSeen.round, this.maxRoundUsed) + 1;
    this.state = "prevoting";
    const ballot = { round, leader: this.ctx.id };
    this.prevote = new PreVoteRound(cluster.quorum, ballot, now + timing.leaderTimeoutMs);
    const prevote = { type: "prevote", ballot } as const;
    for (const acceptor of cluster.quorum.acceptors) this.sendTo(acceptor, prevote);
    this.nextRetryAt = Math.min(
      now + backoffMs(timing.p1aRetryMs, 0, timing.electionBackoffMaxMs, this.ctx.rng),
      this.prevote.giveUpAt,
    );
    this.nextHeartbeatAt = NO_WAKE;
  }

  /**
   * An attempt to lead failed: wait, then try again. A scout that got stuck raised promises
   * (it may be dueling another): back off exponentially. A prevote that was refused or went
   * unanswered disturbed no one, so it is asked again after one timeout, not a growing one:
   * the moment a quorum is reachable again, a leader is elected within a couple of timeouts.
   */
  private failAttempt(backoff: boolean): void {
    this.state = "follower";
    this.prevote = null;
    this.scout = null;
    this.nextRetryAt = NO_WAKE;
    this.nextHeartbeatAt = NO_WAKE;
    if (backoff) this.failedAttempts++;
    this.electionAt = this.ctx.now + this.electionTimeout();
  }

  private startScout(fromSlot = this.decidedBelow): void {
    const { now, timing, cluster } = this.ctx;
    const round = Math.max(this.highestSeen.round, this.maxRoundUsed) + 1;
    this.maxRoundUsed = round;
    this.ctx.persist({ type: "round", round });
    this.ballot = { round, leader: this.ctx.id };
    const granted = this.prevote?.granted;
    this.state = "scouting";
    this.prevote = null;
    this.commanders.clear();
    this.scout = {
      ackers: new Set(),
      partial: new Map(),
      trimmedBelow: 0,
      adopted: new Map(),
      fromSlot,
      sentAt: now,
      retries: 0,
      giveUpAt: now + timing.leaderTimeoutMs,
    };
    const p1a = { type: "p1a", ballot: this.ballot, fromSlot } as const;
    // Thrifty phase 1: a minimal phase-1 quorum of acceptors known to answer (those that just
    // granted the prevote count), everyone on the first resend.
    const healthy = (a: NodeId) => granted?.has(a) === true || this.health.isHealthy(a, now);
    const targets = this.options.thrifty
      ? thriftyTargets(cluster.quorum.acceptors, healthy, this.ctx.id, [], (x) =>
          cluster.quorum.isPhase1Quorum(x),
        )
      : null;
    for (const acceptor of targets ?? cluster.quorum.acceptors) this.sendTo(acceptor, p1a);
    this.nextRetryAt = Math.min(
      now + backoffMs(timing.p1aRetryMs, 0, timing.electionBackoffMaxMs, this.ctx.rng),
      this.scout.giveUpAt,
    );
    this.nextHeartbeatAt = NO_WAKE;
  }

  /** Phase 1 succeeded: re-propose what acceptors may have chosen (pmax), then everything else. */
  private adopt(scout: Scout): void {
    this.state = "active";
    this.scout = null;
    this.failedAttempts = 0;
    this.p2Targets = null;
    this.checkTargets(true);
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

  /**
   * Thrifty phase 2: keep the targets while they all stay healthy; when one turns suspect or
   * stale, pick new ones at once and send them the slots still waiting, so no slot waits for
   * a resend timer. With too few healthy acceptors, address everyone.
   */
  private checkTargets(evenInDoubt: boolean): void {
    if (!this.options.thrifty) return;
    const { now, cluster } = this.ctx;
    const old = this.p2Targets;
    // In doubt, look again once per tick, not for every slot.
    if (old === null ? !evenInDoubt : old.every((a) => this.health.isHealthy(a, now))) return;
    const next = thriftyTargets(
      cluster.quorum.acceptors,
      (a) => this.health.isHealthy(a, now),
      this.ctx.id,
      old ?? [],
      (x) => cluster.quorum.isPhase2Quorum(x),
    );
    this.p2Targets = next;
    const added = (next ?? cluster.quorum.acceptors).filter((a) => !old?.includes(a));
    if (old === null || added.length === 0) return;
    for (const [slot, commander] of this.commanders) {
      if (commander.sentAt === now) continue; // just sent (or resent to everyone)
      const p2a = { type: "p2a", ballot: this.ballot, slot, value: commander.value } as const;
      for (const acceptor of added) {
        if (!commander.ackers.has(acceptor)) this.sendTo(acceptor, p2a);
      }
    }
  }

  private command(slot: number, value: Batch): void {
    if (slot > this.highestSlot) this.highestSlot = slot;
    this.checkTargets(false);
    const sentTo = this.p2Targets ?? this.ctx.cluster.quorum.acceptors;
    const ackers = new Set<NodeId>();
    this.commanders.set(slot, { value, ackers, sentTo, sentAt: this.ctx.now, retries: 0 });
    const p2a = { type: "p2a", ballot: this.ballot, slot, value } as const;
    for (const acceptor of sentTo) this.sendTo(acceptor, p2a);
  }

  /** Every message to an acceptor goes through here, so the failure detector sees it. */
  private sendTo(to: NodeId, message: Parameters<RoleContext["send"]>[1]): void {
    if (this.ctx.cluster.quorum.acceptors.includes(to)) this.health.sent(to, this.ctx.now);
    // held commits for this node ride along (their order against the p2a does not matter)
    if (this.heldCommits.size > 0) this.flushCommitsTo(to);
    this.ctx.send(to, message);
  }

  private holdCommit(to: NodeId, commit: MessageOf<"commit">): void {
    const held = this.heldCommits.get(to);
    if (held === undefined) this.heldCommits.set(to, [commit]);
    else held.push(commit);
    if (this.flushCommitsAt === NO_WAKE) this.flushCommitsAt = this.ctx.now + COMMIT_DELAY_MS;
  }

  private awaitLateAck(slot: number, value: Batch, node: NodeId): void {
    const late = this.lateAcks.get(slot);
    if (late === undefined) this.lateAcks.set(slot, { value, nodes: new Set([node]) });
    else late.nodes.add(node);
    if (this.flushCommitsAt === NO_WAKE) this.flushCommitsAt = this.ctx.now + COMMIT_DELAY_MS;
  }

  /** A p2b for a slot decided before it came: that node learns the slot by reference. */
  private onLateAck(from: NodeId, slot: number): void {
    const late = this.lateAcks.get(slot);
    if (late === undefined || !late.nodes.delete(from)) return;
    if (late.nodes.size === 0) this.lateAcks.delete(slot);
    this.holdCommit(from, { type: "commit", slot, ballot: this.ballot });
  }

  private flushCommitsTo(to: NodeId): void {
    const held = this.heldCommits.get(to);
    if (held === undefined) return;
    this.heldCommits.delete(to);
    for (const commit of held) this.ctx.send(to, commit);
    if (this.heldCommits.size === 0 && this.lateAcks.size === 0) this.flushCommitsAt = NO_WAKE;
  }

  /** Everything held goes now: commits, and the values of acks that did not come. */
  private flushCommits(): void {
    for (const [slot, { value, nodes }] of this.lateAcks) {
      const decision = { type: "decision", slot, value } as const;
      for (const node of nodes) this.ctx.send(node, decision);
    }
    this.lateAcks.clear();
    for (const to of [...this.heldCommits.keys()]) this.flushCommitsTo(to);
    this.flushCommitsAt = NO_WAKE;
  }

  private decide(slot: number, commander: Commander): void {
    this.commanders.delete(slot);
    this.proposals.delete(slot);
    this.markDecided(slot);
    this.announce(slot, commander.value, commander);
  }

  /**
   * Tell every replica a decision, and keep it a while for replicas that miss it. A replica on
   * a node whose acceptor acked the slot in this ballot gets a `commit` (slot and ballot, no
   * value): the value is already on that node. A node that was sent the p2a but whose p2b had
   * not come when the quorum was reached gets a commit too if the p2b comes within
   * COMMIT_DELAY_MS, else the value: in three colocated nodes the follower whose p2b came
   * second got every value twice before, a third of all bytes sent. Any other replica gets the
   * value. This leader's own replica gets the decision in-process, where it costs nothing.
   */
  private announce(slot: number, value: Batch, commander?: Commander): void {
    if (!this.recentDecisions.has(slot)) {
      const bytes = batchBytes(value);
      this.recentDecisions.set(slot, { value, bytes });
      this.recentDecisionBytes += bytes;
    }
    const { retainDecisions, retainDecisionBytes } = this.options;
    while (
      this.recentDecisions.size > retainDecisions ||
      (this.recentDecisionBytes > retainDecisionBytes && this.recentDecisions.size > 1)
    ) {
      const [oldest, { bytes }] = this.recentDecisions.entries().next().value!;
      this.recentDecisions.delete(oldest);
      this.recentDecisionBytes -= bytes;
    }
    const decision = { type: "decision", slot, value } as const;
    const commit = { type: "commit", slot, ballot: this.ballot } as const;
    for (const replica of this.ctx.cluster.replicas) {
      if (commander === undefined || replica === this.ctx.id) this.ctx.send(replica, decision);
      else if (commander.ackers.has(replica)) this.holdCommit(replica, commit);
      else if (commander.sentTo.includes(replica)) this.awaitLateAck(slot, value, replica);
      else this.ctx.send(replica, decision);
    }
  }

  /** A higher ballot exists: stop, follow its owner, and try again only if it goes quiet. */
  private preempt(ballot: Ballot): void {
    this.noteBallot(ballot);
    // Decisions stay decisions: what this leader learned goes out before it steps down.
    this.flushCommits();
    // A follower already waits on the active leader's heartbeats; late answers to its old
    // ballot change nothing.
    if (this.state === "follower") return;
    if (this.state === "active") {
      this.ctx.emit({ type: "leadership", ballot: this.ballot, active: false });
    }
    this.state = "follower";
    this.scout = null;
    this.prevote = null;
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
    const { now, timing, cluster, rng } = this.ctx;
    const prevote = this.prevote;
    if (this.state === "prevoting" && prevote) {
      // Resend to the acceptors that have not answered, like p1a; grants add up. Unanswered
      // for a leader timeout (too few acceptors reachable): give up, back off, ask again.
      if (now >= prevote.giveUpAt) {
        this.failAttempt(false);
        return;
      }
      const message = { type: "prevote", ballot: prevote.ballot } as const;
      for (const acceptor of cluster.quorum.acceptors) {
        if (!prevote.answered(acceptor)) this.sendTo(acceptor, message);
      }
      prevote.retries++;
      const wait = backoffMs(timing.p1aRetryMs, prevote.retries, timing.electionBackoffMaxMs, rng);
      this.nextRetryAt = Math.min(now + wait, prevote.giveUpAt);
      return;
    }
    const scout = this.scout;
    if (this.state === "scouting" && scout) {
      if (now >= scout.giveUpAt) {
        this.failAttempt(true);
        return;
      }
      const p1a = { type: "p1a", ballot: this.ballot, fromSlot: scout.fromSlot } as const;
      for (const acceptor of cluster.quorum.acceptors) {
        // One still sending its chunks is not asked again (each ask is a whole new answer).
        if (!scout.ackers.has(acceptor) && !scout.partial.has(acceptor)) this.sendTo(acceptor, p1a);
      }
      scout.retries++;
      const wait = backoffMs(timing.p1aRetryMs, scout.retries, timing.electionBackoffMaxMs, rng);
      this.nextRetryAt = Math.min(now + wait, scout.giveUpAt);
      return;
    }
    // Commanders that waited their retry period resend to every acceptor that has not
    // answered (not only the thrifty targets: one of those may be down). The period doubles
    // with every resend of a slot (capped): on a slow or overloaded host a fixed period would
    // resend every slot in flight, again and again, faster than the answers can come back.
    let next = now + timing.p2aRetryMs;
    for (const [slot, commander] of this.commanders) {
      const wait = Math.min(
        timing.p2aRetryMs * 2 ** commander.retries,
        timing.electionBackoffMaxMs,
      );
      if (now - commander.sentAt < wait) {
        next = Math.min(next, commander.sentAt + wait);
        continue;
      }
      commander.sentAt = now;
      commander.retries++;
      const p2a = { type: "p2a", ballot: this.ballot, slot, value: commander.value } as const;
      for (const acceptor of cluster.quorum.acceptors) {
        if (!commander.ackers.has(acceptor)) this.sendTo(acceptor, p2a);
      }
    }
    this.nextRetryAt = Math.max(next, now + 1);
  }

  /**
   * Every heartbeat interval: with a live quorum (a phase-2 quorum of acceptors and a replica
   * answered within the live window), a heartbeat to every other node, which holds the other
   * leaders off and tells acceptors to refuse prevotes; without one, only probes to acceptor
   * and replica nodes, to find out when it has one again. Either is answered by a probeAck.
   */
  private heartbeat(): void {
    const { now, timing } = this.ctx;
    const message = this.hasLiveQuorum()
      ? ({ type: "heartbeat", ballot: this.ballot, decidedBelow: this.decidedBelow } as const)
      : ({ type: "probe", ballot: this.ballot } as const);
    const targets = message.type === "heartbeat" ? this.heartbeatTargets : this.probeTargets;
    for (const target of targets) this.sendTo(target, message);
    this.nextHeartbeatAt = now + timing.heartbeatIntervalMs;
  }

  /** A phase-2 quorum of acceptors and at least one replica answered within the live window. */
  private hasLiveQuorum(): boolean {
    const { now, timing, cluster } = this.ctx;
    if (!cluster.quorum.isPhase2Quorum(this.health.fresh(cluster.quorum.acceptors, now))) {
      return false;
    }
    if (this.hostsReplica) return true;
    const windowMs = liveWindowMs(timing);
    for (const at of this.replicaHeardAt.values()) if (now - at <= windowMs) return true;
    return false;
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
  private persistDecided(): void {
    if (this.decidedBelow - this.persistedDecidedBelow >= this.options.persistDecidedEverySlots)
      this.persistDecidedNow();
  }

  /** Persist the decided prefix now, if it grew since it was last persisted. */
  persistDecidedNow(): boolean {
    if (this.decidedBelow === this.persistedDecidedBelow) return false;
    this.persistedDecidedBelow = this.decidedBelow;
    this.ctx.persist({ type: "decided", below: this.decidedBelow });
    return true;
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
