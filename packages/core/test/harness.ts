// Test scaffolding: drive roles by hand, the way the paper's rules are stated.
import { majority, type NodeId, type QuorumSystem } from "@paxos/quorum-system";
import { BOTTOM } from "../src/ballot.js";
import type { ClusterLayout, Timing } from "../src/config.js";
import { DEFAULT_TIMING } from "../src/config.js";
import type { RoleContext } from "../src/context.js";
import type { NodeEvent, PersistRecord, Rng } from "../src/effects.js";
import type { Envelope, Message, MessageType } from "../src/messages.js";
import { PaxosNode } from "../src/node.js";
import type { Leader } from "../src/roles/leader.js";

export const fixedRng = (value = 0.5): Rng => ({ next: () => value });

/** A role context that records what the role does, with a clock the test moves. */
export class Recorder implements RoleContext {
  now = 0;
  sent: Envelope[] = [];
  persisted: PersistRecord[] = [];
  events: NodeEvent[] = [];
  readonly rng: Rng = fixedRng();
  readonly timing: Timing;

  constructor(
    readonly id: NodeId,
    readonly cluster: ClusterLayout,
    timing: Partial<Timing> = {},
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  send(to: NodeId, message: Message): void {
    this.sent.push({ to, message });
  }
  persist(record: PersistRecord): void {
    this.persisted.push(record);
  }
  emit(event: NodeEvent): void {
    this.events.push(event);
  }

  /** Messages of one type sent since the last take, removed from the record. */
  take<T extends MessageType>(type: T): (Envelope & { message: Extract<Message, { type: T }> })[] {
    const taken = this.sent.filter((e) => e.message.type === type);
    this.sent = this.sent.filter((e) => e.message.type !== type);
    return taken as (Envelope & { message: Extract<Message, { type: T }> })[];
  }
}

/**
 * Tick the leader and grant its prevote from every acceptor, so its scout sends p1a; returns
 * the p1a envelopes. (Nothing happens when the leader's election timer is not due.)
 */
export function tickToP1a(ctx: Recorder, leader: Leader, acceptors = ctx.cluster.quorum.acceptors) {
  leader.tick();
  const prevote = ctx.take("prevote")[0]?.message;
  if (prevote) {
    for (const a of acceptors) {
      leader.onPrevoteReply(a, { type: "prevoteReply", ballot: BOTTOM, granted: true });
    }
  }
  return ctx.take("p1a");
}

export function layout(
  acceptors: NodeId[],
  opts: { leaders?: NodeId[]; replicas?: NodeId[]; quorum?: QuorumSystem } = {},
): ClusterLayout {
  return {
    leaders: opts.leaders ?? ["L1", "L2"],
    replicas: opts.replicas ?? ["R1", "R2"],
    quorum: opts.quorum ?? majority(acceptors),
  };
}

export const put = (key: string, value: string) => ({ type: "put", key, value }) as const;
export const get = (key: string) => ({ type: "get", key }) as const;

/**
 * A few PaxosNodes joined by a perfect in-memory network that the test steps by hand:
 * messages wait in `inFlight` until `deliver` runs, optionally with a filter that drops some.
 */
export class MiniCluster {
  readonly nodes = new Map<NodeId, PaxosNode>();
  inFlight: { from: NodeId; to: NodeId; message: Message }[] = [];
  readonly events: { node: NodeId; event: NodeEvent }[] = [];
  readonly durable = new Map<NodeId, PersistRecord[]>();
  readonly down = new Set<NodeId>();
  now = 0;

  constructor(
    readonly cluster: ClusterLayout,
    readonly roles: Record<NodeId, ("client" | "replica" | "leader" | "acceptor")[]>,
    readonly timing: Partial<Timing> = {},
  ) {
    for (const id of Object.keys(roles)) this.start(id);
  }

  start(id: NodeId): PaxosNode {
    const node = new PaxosNode(
      { id, roles: this.roles[id] ?? [], cluster: this.cluster, timing: this.timing },
      { now: this.now, rng: fixedRng(), recovered: this.durable.get(id) ?? [] },
    );
    this.nodes.set(id, node);
    this.down.delete(id);
    this.collect(id);
    return node;
  }

  crash(id: NodeId): void {
    this.down.add(id);
    this.nodes.delete(id);
  }

  node(id: NodeId): PaxosNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no live node ${id}`);
    return node;
  }

  collect(id: NodeId): void {
    const out = this.node(id).drain();
    const log = this.durable.get(id) ?? [];
    log.push(...out.persists);
    this.durable.set(id, log);
    for (const { to, message } of out.sends) this.inFlight.push({ from: id, to, message });
    for (const event of out.events) this.events.push({ node: id, event });
  }

  /** Deliver everything in flight (and what that causes) until quiet or `maxSteps`. */
  deliver(keep: (m: { from: NodeId; to: NodeId; message: Message }) => boolean = () => true) {
    for (let steps = 0; this.inFlight.length > 0 && steps < 100_000; steps++) {
      const m = this.inFlight.shift()!;
      if (this.down.has(m.to) || !keep(m)) continue;
      const node = this.nodes.get(m.to);
      if (!node) continue;
      node.receive(m.from, m.message, this.now);
      this.collect(m.to);
    }
  }

  /** Move the clock and tick every live node that asked to wake by then. */
  advance(ms: number): void {
    this.now += ms;
    for (const [id, node] of this.nodes) {
      if (node.nextWakeAt() <= this.now) {
        node.tick(this.now);
        this.collect(id);
      }
    }
  }

  /** Alternate ticks and deliveries for `ms` of virtual time in `stepMs` steps. */
  run(ms: number, stepMs = 10, keep?: Parameters<MiniCluster["deliver"]>[0]): void {
    for (let t = 0; t < ms; t += stepMs) {
      this.advance(stepMs);
      this.deliver(keep);
    }
  }

  submit(clientNode: NodeId, op: Parameters<PaxosNode["submit"]>[0]): number {
    const seq = this.node(clientNode).submit(op, this.now);
    this.collect(clientNode);
    return seq;
  }

  eventsOf<T extends NodeEvent["type"]>(type: T, node?: NodeId): Extract<NodeEvent, { type: T }>[] {
    return this.events
      .filter((e) => e.event.type === type && (node === undefined || e.node === node))
      .map((e) => e.event as Extract<NodeEvent, { type: T }>);
  }
}
