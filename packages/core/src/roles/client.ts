import type { NodeId } from "@paxos/quorum-system";
import type { Command, Operation } from "../command.js";
import { type ClientOptions, DEFAULT_CLIENT, type Limits } from "../config.js";
import type { RoleContext } from "../context.js";
import type { MessageOf } from "../messages.js";
import { operationBytesOver } from "../size.js";

interface Outstanding {
  readonly command: Command;
  readonly invokedAt: number;
  retryAt: number;
  attempts: number;
  /** index of the replica it was last sent to */
  replica: number;
}

/**
 * The client of PMMC, sans-IO: it numbers its commands, sends each to one replica, and on a
 * timeout resends the same command (same seq, so it is applied once) to the next replica,
 * with exponential backoff. Several commands may be outstanding at once.
 */
export class Client {
  private nextSeq = 0;
  /** whether a command of this client completed (was executed): replicas hold its session */
  private completedAny = false;
  /** outstanding commands in seq order (a Map keeps insertion order) */
  private readonly outstanding = new Map<number, Outstanding>();
  private preferred: number;
  private readonly replicas: readonly NodeId[];

  constructor(
    private readonly ctx: RoleContext,
    readonly clientId: string,
    private readonly limits: Limits,
    private readonly options: ClientOptions = DEFAULT_CLIENT,
  ) {
    this.replicas = ctx.cluster.replicas;
    if (this.replicas.length === 0) throw new Error("client: the cluster has no replicas");
    if (options.homeReplica !== undefined) {
      this.preferred = this.replicas.indexOf(options.homeReplica);
      if (this.preferred < 0) {
        throw new Error(
          `client: homeReplica ${JSON.stringify(options.homeReplica)} is not one of the replicas (${this.replicas.join(", ")})`,
        );
      }
    } else {
      // Spread clients over replicas so one replica does not propose everything.
      this.preferred = hashString(clientId) % this.replicas.length;
    }
  }

  get outstandingCount(): number {
    return this.outstanding.size;
  }

  /**
   * Start an operation; its completion arrives as a `completed` event (or `refused`, at once
   * for a value above the limit). Returns its seq.
   */
  submit(op: Operation): number {
    const seq = this.nextSeq++;
    const valueBytes = operationBytesOver(op, this.limits.maxValueBytes);
    if (valueBytes !== undefined) {
      const reason = `value is ${valueBytes} bytes, the limit is ${this.limits.maxValueBytes}`;
      const now = this.ctx.now;
      this.ctx.emit({
        type: "refused",
        clientId: this.clientId,
        seq,
        op,
        reason,
        maybeApplied: false,
        invokedAt: now,
        returnedAt: now,
      });
      return seq;
    }
    // Answers held for every seq below the first outstanding one. Until some command of this
    // client completed, the replicas hold no session for it, and a command claiming answers
    // would read to them as a retry from a session they forgot: say 0 (a refused command was
    // answered, but never executed).
    const first = this.outstanding.keys().next();
    const ackedBelow = this.completedAny ? (first.done ? seq : first.value) : 0;
    const command: Command = { clientId: this.clientId, seq, ackedBelow, op };
    const now = this.ctx.now;
    this.outstanding.set(seq, {
      command,
      invokedAt: now,
      retryAt: now + this.ctx.timing.clientRetryMs,
      attempts: 0,
      replica: this.preferred,
    });
    this.ctx.send(this.replicas[this.preferred]!, { type: "request", command });
    return seq;
  }

  onResponse(from: NodeId, m: MessageOf<"response">): void {
    if (m.clientId !== this.clientId) return;
    const o = this.outstanding.get(m.seq);
    if (!o) return;
    this.outstanding.delete(m.seq);
    this.completedAny = true;
    // Next requests go to the replica beside the leader when the answer names one (unless
    // told to stay), else to the replica that answered.
    const beside =
      m.leader === undefined || !this.options.followLeader ? -1 : this.replicas.indexOf(m.leader);
    const index = beside >= 0 ? beside : this.replicas.indexOf(from);
    if (index >= 0) this.preferred = index;
    this.ctx.emit({
      type: "completed",
      clientId: this.clientId,
      seq: m.seq,
      op: o.command.op,
      result: m.result,
      invokedAt: o.invokedAt,
      returnedAt: this.ctx.now,
    });
  }

  onRefused(_from: NodeId, m: MessageOf<"refused">): void {
    if (m.clientId !== this.clientId) return;
    const o = this.outstanding.get(m.seq);
    if (!o) return;
    this.outstanding.delete(m.seq);
    this.ctx.emit({
      type: "refused",
      clientId: this.clientId,
      seq: m.seq,
      op: o.command.op,
      reason: m.reason,
      maybeApplied: m.maybeApplied,
      invokedAt: o.invokedAt,
      returnedAt: this.ctx.now,
    });
  }

  tick(): void {
    const { now, timing } = this.ctx;
    for (const o of this.outstanding.values()) {
      if (now < o.retryAt) continue;
      o.attempts++;
      // The replica it went to may be down or cut off: try the next one after it (per command,
      // so the retries of commands that all went to one dead replica all move away from it).
      const failed = o.replica;
      o.replica = (failed + 1) % this.replicas.length;
      if (this.preferred === failed) this.preferred = o.replica;
      const backoff = Math.min(timing.clientRetryMs * 2 ** o.attempts, timing.clientRetryMaxMs);
      o.retryAt = now + backoff;
      // A retry goes to every other replica at once (as PMMC's client broadcasts): trying them
      // one by one, with backoff, let a client whose next choice was down or cut off from the
      // leader wait seconds for a live one (seen in chaos runs). Replicas de-duplicate by
      // (clientId, seq), so a command proposed by several is still applied once.
      const request = { type: "request", command: o.command } as const;
      for (let i = 0; i < this.replicas.length; i++) {
        if (i !== failed || this.replicas.length === 1) this.ctx.send(this.replicas[i]!, request);
      }
    }
  }

  nextWakeAt(): number {
    let at = Number.POSITIVE_INFINITY;
    for (const o of this.outstanding.values()) if (o.retryAt < at) at = o.retryAt;
    return at;
  }
}

/** FNV-1a: a stable, platform-independent spread of client ids over replicas. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
