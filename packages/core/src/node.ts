import type { NodeId } from "@paxos/quorum-system";
import { BOTTOM, compareBallots } from "./ballot.js";
import {
  DEFAULT_CLIENT,
  DEFAULT_LEADER,
  DEFAULT_LIMITS,
  DEFAULT_REPLICA,
  DEFAULT_TIMING,
  type Limits,
  type NodeConfig,
  type Role,
  type Timing,
} from "./config.js";
import type { RoleContext } from "./context.js";
import type { NodeEvent, NodeOutput, PersistRecord, Rng, SnapshotRecord } from "./effects.js";
import type { Message, MessageOf } from "./messages.js";
import { Acceptor } from "./roles/acceptor.js";
import { Client } from "./roles/client.js";
import { Leader } from "./roles/leader.js";
import { Replica } from "./roles/replica.js";
import { MESSAGE_OVERHEAD_BYTES } from "./size.js";
import { KeyValueStore, type StateMachine } from "./state-machine.js";

export interface NodeStart {
  /** the host's clock at start, in ms */
  readonly now: number;
  /** seeded randomness (election jitter) */
  readonly rng: Rng;
  /** what this node persisted in an earlier life, in the order it was persisted */
  readonly recovered?: readonly PersistRecord[];
  /** the replicated service; the key-value store by default */
  readonly stateMachine?: StateMachine;
}

/**
 * One process of the cluster, hosting any set of roles (PMMC's colocation). It is the whole
 * sans-IO contract in one object:
 *
 *   receive(from, message, now) / tick(now)   feed it input and the time
 *   drain()                                   take what it wants done: persist, then send
 *   nextWakeAt()                              when to call tick next
 *
 * Messages between roles of the same node are delivered inside the node, at once, without
 * reaching the host.
 */
export class PaxosNode {
  readonly id: NodeId;
  readonly roles: ReadonlySet<Role>;
  readonly client: Client | undefined;
  readonly replica: Replica | undefined;
  readonly leader: Leader | undefined;
  readonly acceptor: Acceptor | undefined;

  private out: NodeOutput = emptyOutput();
  private readonly local: [NodeId, Message][] = [];
  private delivering = false;
  private readonly ctx: RoleContext & { now: number };

  constructor(config: NodeConfig, start: NodeStart) {
    this.id = config.id;
    this.roles = new Set(config.roles);
    const timing: Timing = { ...DEFAULT_TIMING, ...config.timing };
    const out = () => this.out;
    const local = this.local;
    const id = config.id;
    this.ctx = {
      id,
      cluster: config.cluster,
      timing,
      rng: start.rng,
      now: start.now,
      send(to, message) {
        if (to === id) local.push([id, message]);
        else out().sends.push({ to, message });
      },
      persist(record) {
        const o = out();
        if (o.persists.length === 0) o.sendsBeforePersist = o.sends.length;
        o.persists.push(record);
      },
      emit(event: NodeEvent) {
        out().events.push(event);
      },
    };
    const recovered = start.recovered ?? [];
    const limits: Limits = { ...DEFAULT_LIMITS, ...config.limits };
    const replicaOptions = { ...DEFAULT_REPLICA, ...config.replica };
    checkLimits(limits, replicaOptions.maxBatchBytes);
    if (this.roles.has("acceptor")) this.acceptor = new Acceptor(this.ctx, limits, recovered);
    if (this.roles.has("leader")) {
      this.leader = new Leader(this.ctx, { ...DEFAULT_LEADER, ...config.leader }, recovered);
    }
    if (this.roles.has("replica")) {
      let snapshot: SnapshotRecord | undefined;
      for (const r of recovered) {
        if (r.type === "snapshot" && (snapshot === undefined || r.slot > snapshot.slot))
          snapshot = r;
      }
      this.replica = new Replica(
        this.ctx,
        replicaOptions,
        limits,
        start.stateMachine ?? new KeyValueStore(),
        snapshot,
      );
    }
    if (this.roles.has("client"))
      this.client = new Client(this.ctx, config.clientId ?? config.id, limits, {
        ...DEFAULT_CLIENT,
        ...config.client,
      });
    // A leader beside a replica can resend decisions it did not make itself (learned as
    // decided from another leader) from that replica, instead of re-running phase 1 to read
    // them back, which stops its commits for a round each time.
    const replica = this.replica;
    if (this.leader !== undefined && replica !== undefined) {
      this.leader.localDecisions = (slot) => replica.decided(slot);
    }
  }

  /**
   * Persist now what makes the next start quick: the replica's snapshot (if it applied
   * anything since its last one) and the leader's decided prefix. The next drain carries the
   * records. A host calls this on a graceful stop, then drains and writes, so a restart
   * replays no decisions and its phase 1 starts at the end of the log. Returns whether there
   * was anything to persist.
   */
  snapshotNow(): boolean {
    const snapshot = this.replica?.snapshotNow() ?? false;
    const decided = this.leader?.persistDecidedNow() ?? false;
    return snapshot || decided;
  }

  /**
   * Records that rebuild this node's durable state as it is now, but for the replica's latest
   * snapshot (the host keeps that one apart). A host compacts its log by writing these at the
   * head of a fresh segment, right after a drain's records are durable (then memory and disk
   * agree), and deleting the older segments.
   */
  checkpoint(): PersistRecord[] {
    return [...(this.acceptor?.checkpoint() ?? []), ...(this.leader?.checkpoint() ?? [])];
  }

  get now(): number {
    return this.ctx.now;
  }

  /**
   * Deliver one message. Returns false when no role of this node takes messages of its type
   * (the host may log that as misrouted).
   */
  receive(from: NodeId, message: Message, now: number): boolean {
    this.ctx.now = now;
    const taken = this.dispatch(from, message);
    this.deliverLocal();
    return taken;
  }

  tick(now: number): void {
    this.ctx.now = now;
    this.client?.tick();
    this.replica?.tick();
    this.leader?.tick();
    this.deliverLocal();
  }

  /** Run a client operation through this node's client role. */
  submit(op: Parameters<Client["submit"]>[0], now: number): number {
    if (!this.client) throw new Error(`node ${this.id} has no client role`);
    this.ctx.now = now;
    const seq = this.client.submit(op);
    this.deliverLocal();
    return seq;
  }

  /** The earliest time this node wants tick(); Infinity when it waits only for messages. */
  nextWakeAt(): number {
    let at = Number.POSITIVE_INFINITY;
    if (this.client) at = Math.min(at, this.client.nextWakeAt());
    if (this.replica) at = Math.min(at, this.replica.nextWakeAt());
    if (this.leader) at = Math.min(at, this.leader.nextWakeAt());
    return at;
  }

  /**
   * End the turn and take everything produced since the last drain. Persist it all before
   * sending any of it; then ask nextWakeAt().
   */
  drain(): NodeOutput {
    // The end of the host's turn: roles that batch across inputs act now.
    this.replica?.endTurn();
    this.deliverLocal();
    const out = this.out;
    if (out.persists.length === 0) out.sendsBeforePersist = out.sends.length;
    this.out = emptyOutput();
    return out;
  }

  private deliverLocal(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let i = 0; i < this.local.length; i++) {
        const [from, message] = this.local[i]!;
        this.dispatch(from, message);
      }
    } finally {
      this.local.length = 0;
      this.delivering = false;
    }
  }

  /**
   * A leader's probe or heartbeat is answered once per node, not once per role: what the
   * leader learns is that this node (its acceptor, its replica) is reachable. The promise
   * rides along, so a leader learns of a higher ballot from an idle acceptor too.
   */
  private answerProbe(leader: NodeId): void {
    if (this.acceptor === undefined && this.replica === undefined) return;
    this.ctx.send(leader, { type: "probeAck", ballot: this.acceptor?.promised ?? BOTTOM });
  }

  /**
   * A decision by reference: the value is the one this node's acceptor holds for the slot at
   * the commit's ballot or above (Paxos: every pvalue of a ballot at or above the one a value
   * was chosen in carries that value). If the acceptor no longer holds it (it forgot the
   * slot, or restarted without storage), the replica sees a hole and catches up as it does
   * for a lost decision.
   */
  private onCommit(from: NodeId, m: MessageOf<"commit">): void {
    const pvalue = this.acceptor?.accepted(m.slot);
    if (this.replica === undefined || pvalue === undefined) return;
    if (compareBallots(pvalue.ballot, m.ballot) < 0) return;
    this.replica.onDecision(from, { type: "decision", slot: m.slot, value: pvalue.value });
  }

  private dispatch(from: NodeId, m: Message): boolean {
    const { acceptor, client, leader, replica } = this;
    switch (m.type) {
      case "request":
        replica?.onRequest(from, m);
        return replica !== undefined;
      case "response":
        client?.onResponse(from, m);
        return client !== undefined;
      case "propose":
        leader?.onPropose(from, m);
        return leader !== undefined;
      case "decision":
        replica?.onDecision(from, m);
        return replica !== undefined;
      case "commit":
        this.onCommit(from, m);
        return replica !== undefined;
      case "p1a":
        acceptor?.onP1a(from, m);
        return acceptor !== undefined;
      case "p2a":
        acceptor?.onP2a(from, m);
        return acceptor !== undefined;
      case "p1b":
        leader?.onP1b(from, m);
        return leader !== undefined;
      case "p2b":
        leader?.onP2b(from, m);
        return leader !== undefined;
      case "probe":
        this.answerProbe(from);
        return acceptor !== undefined || replica !== undefined;
      case "probeAck":
        leader?.onProbeAck(from, m);
        return leader !== undefined;
      case "prevote":
        acceptor?.onPrevote(from, m);
        return acceptor !== undefined;
      case "prevoteReply":
        leader?.onPrevoteReply(from, m);
        return leader !== undefined;
      case "heartbeat":
        acceptor?.onHeartbeat(from, m);
        leader?.onHeartbeat(from, m);
        replica?.onHeartbeat(from, m);
        this.answerProbe(from);
        return acceptor !== undefined || leader !== undefined || replica !== undefined;
      case "catchup":
        replica?.onCatchup(from, m);
        return replica !== undefined;
      case "catchupReply":
        replica?.onCatchupReply(from, m);
        return replica !== undefined;
      case "snapshot":
        replica?.onSnapshot(from, m);
        return replica !== undefined;
      case "snapshotted":
        leader?.onSnapshotted(from, m);
        return leader !== undefined;
      case "trim":
        acceptor?.onTrim(from, m);
        return acceptor !== undefined;
      case "refused":
        client?.onRefused(from, m);
        return client !== undefined;
    }
  }
}

/** Every message the engine builds must fit: the largest value with its command around it. */
function checkLimits(limits: Limits, maxBatchBytes: number): void {
  const { maxMessageBytes, maxValueBytes } = limits;
  // One command of the largest size, with its client id (at most 128 characters, 6 bytes
  // each when escaped), inside the largest message envelope.
  const room = MESSAGE_OVERHEAD_BYTES + 1024 + 1024;
  if (maxMessageBytes < maxValueBytes + room) {
    throw new RangeError(
      `limits.maxMessageBytes (${maxMessageBytes}) must be at least limits.maxValueBytes (${maxValueBytes}) plus ${room}`,
    );
  }
  if (maxBatchBytes > maxMessageBytes - room) {
    throw new RangeError(
      `replica.maxBatchBytes (${maxBatchBytes}) must be at most limits.maxMessageBytes (${maxMessageBytes}) less ${room}`,
    );
  }
}

function emptyOutput(): NodeOutput {
  return { persists: [], sends: [], events: [], sendsBeforePersist: 0 };
}
