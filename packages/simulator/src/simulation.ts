// The discrete-event simulation: a cluster of PaxosNodes driven in virtual time over the
// simulated network, exactly by the sans-IO contract of @paxos/core:
//
//   after every host turn, tick or submit, drain() the node and
//     1. append its persists to the node's durable log (kept here, survives crashes),
//     2. hand its sends to the network, one frame per destination,
//     3. record its events (applied slots, executions, completions, leadership);
//   then make sure the node is woken at nextWakeAt().
//
// Host turns are modelled as the real host (transport-ws NodeHost) runs them: everything that
// reaches a node at one instant is received before one drain, and the messages one drain sends
// to one peer travel as one frame (one delay; loss is still drawn per message). A turn may
// also take modelled CPU time (`hostTurn`): the node is busy until its output leaves, and
// whatever arrives meanwhile is received in its next turn. That is what makes the replica
// batch the requests of a turn into one slot here as it does on real processes.
//
// Wake-ups are lazy: each node has at most one live TICK event (the earliest time it asked
// for). A later request leaves the earlier event in place; when it fires early the node is not
// ticked, only rescheduled. An earlier request schedules a new event and bumps the node's
// generation, which turns the old event stale. No event is ever removed from the heap.
//
// Everything random draws from streams forked off the seed (network, each node incarnation,
// each client's workload), and the event queue breaks time ties by insertion order, so a seed
// replays exactly; the trace hash proves it.
//
// The cluster description lives in cluster.ts, what a run records in records.ts.

import {
  compareBallots,
  type Decided,
  type Envelope,
  type Message,
  type MessageType,
  type NodeConfig,
  type NodeEvent,
  type NodeStart,
  type Operation,
  PaxosNode,
  type PersistRecord,
  type Result,
  type Role,
} from "@paxos/core";
import {
  type DropReason,
  type SimulationConfig,
  SimulationConfigError,
  validate,
} from "./cluster.js";
import { EventQueue } from "./heap.js";
import { estimateWireBytes } from "./message-size.js";
import { Network } from "./network.js";
import type {
  FaultRecord,
  HistoryEntry,
  LeadershipChange,
  MessageCounters,
  ReplicaRun,
  SimulationStats,
} from "./records.js";
import { SimRng } from "./rng.js";
import { summarize } from "./stats.js";
import { MESSAGE_TYPE_CODE, TraceHash } from "./trace.js";
import {
  type ClientOperations,
  operationSource,
  type ResolvedWorkload,
  resolveWorkload,
} from "./workload.js";

// The types a Simulation is built from and records, importable from here too.
export type { DropReason, NodeSpec, SimulationConfig } from "./cluster.js";
export { SimulationConfigError } from "./cluster.js";
export type {
  FaultRecord,
  HistoryEntry,
  LeadershipChange,
  MessageCounters,
  ReplicaRun,
  SimulationStats,
} from "./records.js";

export type Action = (sim: Simulation) => void;

const DELIVER = 0;
const TICK = 1;
const ACTION = 2;
/** a host turn: receive every frame in the node's inbox, then drain once */
const TURN = 3;

interface Host {
  readonly index: number;
  readonly id: string;
  readonly roles: readonly Role[];
  readonly isClient: boolean;
  readonly isReplica: boolean;
  node: PaxosNode | null;
  incarnation: number;
  /**
   * the node's disk: the records it persisted, in order, since the last compaction (which
   * put its checkpoint at the head), and apart from them its latest replica snapshot
   */
  readonly durable: PersistRecord[];
  snapshot: PersistRecord | null;
  /** time of the earliest live TICK event, Infinity if none */
  wakeAt: number;
  /** generation of the live TICK event; older events are stale */
  wakeGen: number;
  clientId: string | null;
  ops: ClientOperations | null;
  nextSeq: number;
  /** this incarnation's operations, indexed by seq */
  history: HistoryEntry[];
  /** workload operations to submit once the current drain is handled */
  submitsDue: number;
  run: ReplicaRun | null;
  /** livelock detection: the last instant the node was ticked, and how often at it */
  lastTickAt: number;
  ticksAtInstant: number;
  /** frames that reached the node and wait for its next turn (sender index, messages) */
  inboxFrom: number[];
  inboxFrames: (readonly Message[])[];
  /** a TURN event is queued; its generation (a crash makes it stale) */
  turnQueued: boolean;
  turnGen: number;
  /** the node's current turn ends (its output leaves) at this time */
  busyUntil: number;
  /** over all incarnations: slots applied, and the commands in them */
  slotsApplied: number;
  commandsApplied: number;
}

/** per node, one counter per message type code (codes are 1..19, room for more) */
const TYPE_SLOTS = 32;

/** A node ticked this often at one instant keeps asking to be woken "now": a stuck timer. */
const MAX_TICKS_PER_INSTANT = 1000;

export class Simulation {
  readonly seed: number;
  readonly config: SimulationConfig;
  /** root of every random stream of the run */
  readonly rng: SimRng;
  readonly network: Network;
  readonly nodeIds: readonly string[];
  readonly workload: ResolvedWorkload | null;

  /** every operation invoked, in invocation order */
  readonly history: HistoryEntry[] = [];
  /** one entry per replica incarnation, in start order */
  readonly replicaRuns: ReplicaRun[] = [];
  readonly leadership: LeadershipChange[] = [];
  /** crashes, restarts, partitions and heals, as they happened */
  readonly faults: FaultRecord[] = [];
  readonly counters: MessageCounters = {
    sent: 0,
    delivered: 0,
    lost: 0,
    partitioned: 0,
    toDeadNode: 0,
    duplicated: 0,
    misrouted: 0,
    frames: 0,
  };

  private readonly queue = new EventQueue(4096);
  private readonly hosts: Host[];
  private readonly indexById = new Map<string, number>();
  private readonly baseConfigs: NodeConfig[];
  private readonly trace = new TraceHash();
  /** per (node, message type): messages handed to the network, and when the last one was */
  private readonly sentCount: Float64Array;
  private readonly sentLastAt: Float64Array;
  private clock = 0;
  private running = false;
  private workloadStarted = false;
  private eventCount = 0;
  private readonly maxEventsPerInstant: number;
  private readonly resolution: number;
  private readonly recordReplicaEvents: boolean;
  private readonly compactAfterRecords: number;
  /** operations a replica or client refused (value above the limit, overload, expiry) */
  refusedCount = 0;
  private instant = -1;
  private eventsThisInstant = 0;
  /** modelled CPU time of a host turn, in ms: fixed, and per message received or sent */
  private readonly turnFixedMs: number;
  private readonly turnPerMessageMs: number;
  /** scratch: one drain's sends grouped by destination index */
  private readonly framesByPeer = new Map<number, Message[]>();

  constructor(config: SimulationConfig) {
    this.config = config;
    this.seed = config.seed;
    this.rng = SimRng.fromSeed(config.seed);
    validate(config);
    this.nodeIds = config.nodes.map((n) => n.id);
    config.nodes.forEach((n, i) => {
      this.indexById.set(n.id, i);
    });
    this.network = new Network(this.nodeIds, config.network, this.rng.fork("network"));
    this.sentCount = new Float64Array(this.nodeIds.length * TYPE_SLOTS);
    this.sentLastAt = new Float64Array(this.nodeIds.length * TYPE_SLOTS).fill(
      Number.NEGATIVE_INFINITY,
    );
    this.maxEventsPerInstant = config.maxEventsPerInstant ?? 1_000_000;
    this.resolution = config.timeResolution ?? 1024;
    this.recordReplicaEvents = config.recordReplicaEvents ?? true;
    this.compactAfterRecords = config.compactAfterRecords ?? 1_000;
    const turn = config.hostTurn ?? {};
    for (const [k, v] of Object.entries(turn)) {
      if (k !== "fixedUs" && k !== "perMessageUs") {
        throw new SimulationConfigError(`hostTurn: unknown setting "${k}"`);
      }
      if (typeof v !== "number" || !(v >= 0) || !Number.isFinite(v)) {
        throw new SimulationConfigError(`hostTurn.${k} must be a number >= 0, got ${String(v)}`);
      }
    }
    this.turnFixedMs = (turn.fixedUs ?? 0) / 1000;
    this.turnPerMessageMs = (turn.perMessageUs ?? 0) / 1000;
    if (!(this.resolution >= 0) || !Number.isFinite(this.resolution)) {
      throw new SimulationConfigError(
        `timeResolution must be a number >= 0, got ${config.timeResolution}`,
      );
    }
    this.workload = config.workload ? resolveWorkload(config.workload) : null;

    const withRole = (role: Role) =>
      config.nodes.filter((n) => n.roles.includes(role)).map((n) => n.id);
    const cluster = {
      replicas: withRole("replica"),
      leaders: withRole("leader"),
      quorum: config.quorum,
    };
    this.baseConfigs = config.nodes.map((n) => ({
      id: n.id,
      roles: [...n.roles],
      cluster,
      ...(config.timing ? { timing: config.timing } : {}),
      ...(config.replica ? { replica: config.replica } : {}),
      ...(config.leader ? { leader: config.leader } : {}),
      ...(config.limits ? { limits: config.limits } : {}),
    }));
    this.hosts = config.nodes.map((n, index) => ({
      index,
      id: n.id,
      roles: n.roles,
      isClient: n.roles.includes("client"),
      isReplica: n.roles.includes("replica"),
      node: null,
      incarnation: 0,
      durable: [],
      snapshot: null,
      wakeAt: Number.POSITIVE_INFINITY,
      wakeGen: 0,
      clientId: null,
      ops: null,
      nextSeq: 0,
      history: [],
      submitsDue: 0,
      run: null,
      lastTickAt: -1,
      ticksAtInstant: 0,
      inboxFrom: [],
      inboxFrames: [],
      turnQueued: false,
      turnGen: 0,
      busyUntil: 0,
      slotsApplied: 0,
      commandsApplied: 0,
    }));
    for (const h of this.hosts) this.start(h);
    if (this.workload) {
      const w = this.workload;
      this.at(w.startMs, () => this.startWorkload());
    }
  }

  // ---------------------------------------------------------------- time

  /** Current virtual time, in ms. */
  get now(): number {
    return this.clock;
  }

  /** Events processed so far. */
  get events(): number {
    return this.eventCount;
  }

  /** Run `action` at virtual time `timeMs` (after events already scheduled for that time). */
  at(timeMs: number, action: Action): void {
    if (!(timeMs >= this.clock)) {
      throw new RangeError(`at(${timeMs}): that is before the current time ${this.clock}`);
    }
    this.queue.push(timeMs, ACTION, 0, 0, action);
  }

  /** Process every event up to and including `timeMs`, then set the clock to `timeMs`. */
  runUntil(timeMs: number): void {
    if (this.running) throw new Error("runUntil() called from inside the simulation");
    this.running = true;
    const q = this.queue;
    try {
      while (q.length > 0 && q.peekTime() <= timeMs) {
        q.pop();
        const t = q.time;
        if (t !== this.instant) {
          this.instant = t;
          this.eventsThisInstant = 0;
        } else if (++this.eventsThisInstant > this.maxEventsPerInstant) {
          throw new Error(
            `livelock: more than ${this.maxEventsPerInstant} events at t=${t} ms (seed ${this.seed})`,
          );
        }
        this.clock = t;
        this.eventCount++;
        switch (q.kind) {
          case DELIVER:
            this.deliver(q.a, q.b, q.payload as readonly Message[]);
            break;
          case TURN:
            this.turn(q.a, q.b);
            break;
          case TICK:
            this.wake(q.a, q.b);
            break;
          default:
            (q.payload as Action)(this);
        }
      }
      if (timeMs > this.clock) this.clock = timeMs;
    } finally {
      this.running = false;
    }
  }

  runFor(ms: number): void {
    this.runUntil(this.clock + ms);
  }

  // ---------------------------------------------------------------- nodes

  private host(id: string): Host {
    const i = this.indexById.get(id);
    if (i === undefined) throw new RangeError(`unknown node "${id}"`);
    return this.hosts[i]!;
  }

  /** The node's current incarnation, undefined while it is crashed. */
  node(id: string): PaxosNode | undefined {
    return this.host(id).node ?? undefined;
  }

  isAlive(id: string): boolean {
    return this.host(id).node !== null;
  }

  incarnation(id: string): number {
    return this.host(id).incarnation;
  }

  /** What the node has persisted over all its incarnations (its disk). */
  durableLog(id: string): readonly PersistRecord[] {
    const h = this.host(id);
    return h.snapshot === null ? h.durable : [h.snapshot, ...h.durable];
  }

  /** The client id of the node's current incarnation, null if it has no client role. */
  clientIdOf(id: string): string | null {
    return this.host(id).clientId;
  }

  /** Node ids having `role`. */
  nodesWithRole(role: Role): string[] {
    return this.hosts.filter((h) => h.roles.includes(role)).map((h) => h.id);
  }

  /**
   * The live node whose leader role is active with the highest ballot (several may believe
   * they lead for a while after a partition), or undefined.
   */
  activeLeader(): string | undefined {
    let best: Host | undefined;
    for (const h of this.hosts) {
      const leader = h.node?.leader;
      if (!leader?.isActive) continue;
      if (!best || compareBallots(leader.currentBallot, best.node!.leader!.currentBallot) > 0)
        best = h;
    }
    return best?.id;
  }

  /** Crash a node: its volatile state is gone, messages to it are dropped, it gets no ticks. */
  crash(id: string): void {
    const h = this.host(id);
    if (h.node === null) return;
    h.node = null;
    h.wakeAt = Number.POSITIVE_INFINITY;
    h.wakeGen = (h.wakeGen + 1) | 0;
    h.submitsDue = 0;
    // Frames that reached it but were not read yet die with the process.
    for (let i = 0; i < h.inboxFrames.length; i++) {
      const frame = h.inboxFrames[i]!;
      this.counters.toDeadNode += frame.length;
      for (const m of frame)
        this.config.onDrop?.(this.clock, this.nodeIds[h.inboxFrom[i]!]!, id, m, "deadNode");
    }
    h.inboxFrom.length = 0;
    h.inboxFrames.length = 0;
    h.turnQueued = false;
    h.turnGen = (h.turnGen + 1) | 0;
    h.busyUntil = 0;
    if (h.run) h.run.crashedAt = this.clock;
    h.run = null;
    this.faults.push({ atMs: this.clock, what: `crash ${id}` });
  }

  /** Start a new incarnation from the durable log, with a fresh random stream and client id. */
  restart(id: string): void {
    const h = this.host(id);
    if (h.node !== null) throw new Error(`restart(${id}): the node is running`);
    h.incarnation++;
    this.faults.push({ atMs: this.clock, what: `restart ${id}` });
    this.start(h);
  }

  private start(h: Host): void {
    const inc = h.incarnation;
    const base = this.baseConfigs[h.index]!;
    h.clientId = h.isClient ? `${h.id}/${inc}` : null;
    const config: NodeConfig = h.clientId ? { ...base, clientId: h.clientId } : base;
    const start: NodeStart = {
      now: this.clock,
      rng: this.rng.fork(`node/${h.id}/${inc}`),
      recovered: h.snapshot === null ? h.durable.slice() : [h.snapshot, ...h.durable],
    };
    h.node = this.config.createNode
      ? this.config.createNode(config, start)
      : new PaxosNode(config, start);
    h.nextSeq = 0;
    h.history = [];
    h.ops =
      h.isClient && this.workload
        ? (this.config.operations?.(h.clientId!, h.id) ??
          operationSource(this.workload, h.clientId!, this.rng.fork(`workload/${h.clientId}`)))
        : null;
    if (h.isReplica) {
      h.run = {
        node: h.id,
        incarnation: inc,
        startedAt: this.clock,
        crashedAt: null,
        lastAppliedAt: null,
        events: [],
      };
      this.replicaRuns.push(h.run);
    }
    if (h.ops && this.workloadStarted) h.submitsDue = this.workload!.outstandingPerClient;
    this.flush(h);
  }

  private startWorkload(): void {
    this.workloadStarted = true;
    for (const h of this.hosts) {
      if (h.node === null || h.ops === null) continue;
      h.submitsDue += this.workload!.outstandingPerClient;
      this.flush(h);
    }
  }

  /** Invoke an operation through a client node now (outside the closed-loop workload). */
  submit(id: string, op: Operation): HistoryEntry {
    const h = this.host(id);
    if (h.node === null) throw new Error(`submit(${id}): the node is crashed`);
    if (!h.isClient) throw new Error(`submit(${id}): the node has no client role`);
    const entry = this.invoke(h, op, false);
    this.flush(h);
    return entry;
  }

  private invoke(h: Host, op: Operation, auto: boolean): HistoryEntry {
    const seq = h.node!.submit(op, this.clock);
    const entry: HistoryEntry = {
      node: h.id,
      clientId: h.clientId!,
      seq,
      op,
      result: null,
      invokedAt: this.clock,
      returnedAt: null,
      auto,
    };
    h.history[seq] = entry;
    h.nextSeq = seq + 1;
    this.history.push(entry);
    return entry;
  }

  // ---------------------------------------------------------------- network

  partition(groups: readonly (readonly string[])[]): void {
    this.network.partition(groups);
    this.faults.push({
      atMs: this.clock,
      what: `partition ${groups.map((g) => `{${g.join(",")}}`).join(" | ")}`,
    });
  }

  isolate(id: string): void {
    this.network.isolate(id);
    this.faults.push({ atMs: this.clock, what: `isolate ${id}` });
  }

  heal(): void {
    this.network.heal();
    this.faults.push({ atMs: this.clock, what: "heal" });
  }

  /** Hands one drain's sends to the network: one frame per destination, leaving at `atMs`. */
  private sendAll(from: number, sends: readonly Envelope[], atMs: number): void {
    if (sends.length === 0) return;
    if (sends.length === 1) {
      const s = sends[0]!;
      this.sendFrame(from, this.indexOfPeer(from, s.to, s.message), [s.message], atMs);
      return;
    }
    const groups = this.framesByPeer;
    for (let i = 0; i < sends.length; i++) {
      const s = sends[i]!;
      const to = this.indexOfPeer(from, s.to, s.message);
      const frame = groups.get(to);
      if (frame === undefined) groups.set(to, [s.message]);
      else frame.push(s.message);
    }
    for (const [to, frame] of groups) this.sendFrame(from, to, frame, atMs);
    groups.clear();
  }

  private indexOfPeer(from: number, toId: string, message: Message): number {
    const to = this.indexById.get(toId);
    if (to === undefined) {
      throw new Error(`node ${this.nodeIds[from]} sent ${message.type} to unknown node "${toId}"`);
    }
    return to;
  }

  private sendFrame(from: number, to: number, frame: Message[], atMs: number): void {
    const c = this.counters;
    c.sent += frame.length;
    c.frames++;
    for (let i = 0; i < frame.length; i++) {
      const k = from * TYPE_SLOTS + MESSAGE_TYPE_CODE[frame[i]!.type];
      this.sentCount[k] = this.sentCount[k]! + 1;
      this.sentLastAt[k] = this.clock;
    }
    const net = this.network;
    if (net.isBlockedIdx(from, to)) {
      c.partitioned += frame.length;
      this.dropAll(from, to, frame, "partitioned");
      return;
    }
    // Loss is per message (the transport's link emulation drops single messages).
    let kept = frame;
    if (net.hasLoss(from, to)) {
      kept = [];
      for (let i = 0; i < frame.length; i++) {
        if (!net.loses(from, to)) kept.push(frame[i]!);
        else {
          c.lost++;
          this.config.onDrop?.(
            this.clock,
            this.nodeIds[from]!,
            this.nodeIds[to]!,
            frame[i]!,
            "lost",
          );
        }
      }
      if (kept.length === 0) return;
    }
    let bytes = 0;
    if (net.needsBytes(from, to)) for (const m of kept) bytes += estimateWireBytes(m);
    const copies = net.routeFrame(from, to, atMs, bytes);
    const r = this.resolution;
    let d = net.delays[0]!;
    if (r > 0) d = Math.round(d * r) / r;
    this.queue.push(atMs + d, DELIVER, to, from, kept);
    if (copies === 2) {
      c.duplicated += kept.length;
      d = net.delays[1]!;
      if (r > 0) d = Math.round(d * r) / r;
      this.queue.push(atMs + d, DELIVER, to, from, kept);
    }
  }

  private dropAll(from: number, to: number, frame: readonly Message[], why: DropReason): void {
    const onDrop = this.config.onDrop;
    if (onDrop === undefined) return;
    for (const m of frame) onDrop(this.clock, this.nodeIds[from]!, this.nodeIds[to]!, m, why);
  }

  /** A frame reaches a node: it waits in the inbox for the node's next turn. */
  private deliver(to: number, from: number, frame: readonly Message[]): void {
    const h = this.hosts[to]!;
    if (h.node === null) {
      this.counters.toDeadNode += frame.length;
      this.dropAll(from, to, frame, "deadNode");
      return;
    }
    if (this.network.isBlockedIdx(from, to)) {
      this.counters.partitioned += frame.length;
      this.dropAll(from, to, frame, "partitioned");
      return;
    }
    h.inboxFrom.push(from);
    h.inboxFrames.push(frame);
    if (h.turnQueued) return;
    h.turnQueued = true;
    // After every event already queued for this instant: what arrives together is read together.
    this.queue.push(Math.max(this.clock, h.busyUntil), TURN, to, h.turnGen, undefined);
  }

  /** One host turn: receive every frame that has arrived, then drain once. */
  private turn(index: number, gen: number): void {
    const h = this.hosts[index]!;
    const node = h.node;
    if (node === null || gen !== h.turnGen) return; // stale
    h.turnQueued = false;
    const froms = h.inboxFrom;
    const frames = h.inboxFrames;
    const now = this.clock;
    let received = 0;
    for (let i = 0; i < frames.length; i++) {
      const from = froms[i]!;
      const fromId = this.nodeIds[from]!;
      const frame = frames[i]!;
      for (let j = 0; j < frame.length; j++) {
        const message = frame[j]!;
        this.counters.delivered++;
        this.trace.delivery(now, from, index, message);
        this.config.onDeliver?.(now, fromId, h.id, message);
        if (!node.receive(fromId, message, now)) this.counters.misrouted++;
      }
      received += frame.length;
    }
    froms.length = 0;
    frames.length = 0;
    this.flush(h, received);
  }

  private wake(index: number, gen: number): void {
    const h = this.hosts[index]!;
    const node = h.node;
    if (node === null || gen !== h.wakeGen) return; // stale
    h.wakeAt = Number.POSITIVE_INFINITY;
    const now = this.clock;
    if (h.busyUntil > now) {
      // The timer fires while the host is in a turn: it runs after the turn.
      h.wakeAt = h.busyUntil;
      h.wakeGen = (h.wakeGen + 1) | 0;
      this.queue.push(h.busyUntil, TICK, h.index, h.wakeGen, undefined);
      return;
    }
    if (node.nextWakeAt() <= now) {
      if (h.lastTickAt !== now) {
        h.lastTickAt = now;
        h.ticksAtInstant = 0;
      } else if (++h.ticksAtInstant > MAX_TICKS_PER_INSTANT) {
        throw new Error(
          `livelock: node ${h.id} was ticked ${MAX_TICKS_PER_INSTANT} times at t=${now} ms and still ` +
            `asks to be woken at ${node.nextWakeAt()} (client ${node.client?.nextWakeAt()}, ` +
            `replica ${node.replica?.nextWakeAt()}, leader ${node.leader?.nextWakeAt()}; seed ${this.seed})`,
        );
      }
      node.tick(now);
    }
    this.flush(h);
  }

  /**
   * Drain the node (persist, send, record), submit due workload operations, reschedule it.
   * `received`: messages the turn took in, for its modelled CPU time.
   */
  private flush(h: Host, received = 0): void {
    const node = h.node!;
    let handled = received;
    for (;;) {
      const out = node.drain();
      const { persists, sends, events } = out;
      if (persists.length > 0) this.persist(h, node, persists);
      handled += sends.length;
      let leaveAt = this.clock;
      if (this.turnFixedMs > 0 || this.turnPerMessageMs > 0) {
        // The turn's output leaves when its CPU time is spent; the host is busy until then.
        let cost = this.turnFixedMs + this.turnPerMessageMs * handled;
        const r = this.resolution;
        if (r > 0) cost = Math.ceil(cost * r) / r;
        leaveAt = Math.max(this.clock, h.busyUntil) + cost;
        h.busyUntil = leaveAt;
        handled = 0;
      }
      this.sendAll(h.index, sends, leaveAt);
      for (let i = 0; i < events.length; i++) this.record(h, events[i]!);
      if (h.submitsDue === 0) break;
      const stopMs = this.workload!.stopMs;
      while (h.submitsDue > 0) {
        h.submitsDue--;
        if (this.clock >= stopMs) continue;
        this.invoke(h, h.ops!.next(h.nextSeq), true);
      }
    }
    let w = node.nextWakeAt();
    if (w === Number.POSITIVE_INFINITY) return;
    if (w < this.clock) w = this.clock;
    if (w < h.wakeAt) {
      h.wakeAt = w;
      h.wakeGen = (h.wakeGen + 1) | 0;
      this.queue.push(w, TICK, h.index, h.wakeGen, undefined);
    }
  }

  /** Write a drain's records to the node's disk, compacting it as a real host would. */
  private persist(h: Host, node: PaxosNode, persists: readonly PersistRecord[]): void {
    for (let i = 0; i < persists.length; i++) {
      const r = persists[i]!;
      if (r.type === "snapshot") h.snapshot = r;
      else h.durable.push(r);
    }
    if (h.durable.length > this.compactAfterRecords) {
      const head = node.checkpoint();
      h.durable.length = 0;
      for (const r of head) h.durable.push(r);
    }
  }

  private record(h: Host, e: NodeEvent): void {
    switch (e.type) {
      case "slotApplied":
        h.slotsApplied++;
        h.commandsApplied += e.value.length;
        if (h.run) h.run.lastAppliedAt = this.clock;
        if (this.recordReplicaEvents) h.run?.events.push(e);
        return;
      case "snapshotInstalled":
        if (h.run) h.run.lastAppliedAt = this.clock;
        if (this.recordReplicaEvents) h.run?.events.push(e);
        return;
      case "executed":
        if (this.recordReplicaEvents) h.run?.events.push(e);
        return;
      case "completed": {
        const entry = h.history[e.seq];
        if (entry === undefined || entry.clientId !== e.clientId) return;
        entry.result = e.result;
        entry.returnedAt = e.returnedAt;
        if (entry.auto && h.ops) {
          h.ops.observe(e.op, observedValue(e.op, e.result));
          h.submitsDue++;
        }
        return;
      }
      case "refused": {
        // Not executed (or, maybeApplied, unknown): the entry keeps no result, which the
        // checkers read as an operation of unknown outcome; the closed loop goes on.
        const entry = h.history[e.seq];
        if (entry === undefined || entry.clientId !== e.clientId) return;
        this.refusedCount++;
        if (entry.auto && h.ops) h.submitsDue++;
        return;
      }
      case "leadership":
        this.leadership.push({
          atMs: this.clock,
          node: h.id,
          incarnation: h.incarnation,
          ballot: e.ballot,
          active: e.active,
        });
        return;
    }
  }

  // ---------------------------------------------------------------- results

  /**
   * The (slot, batch) pairs a replica applied, in order: its current incarnation by default
   * (its latest one if it is crashed). Empty when replica events are not recorded.
   */
  appliedLog(id: string, incarnation?: number): Decided[] {
    const inc = incarnation ?? this.host(id).incarnation;
    const run = this.replicaRuns.find((r) => r.node === id && r.incarnation === inc);
    if (!run) return [];
    const out: Decided[] = [];
    for (const e of run.events)
      if (e.type === "slotApplied") out.push({ slot: e.slot, value: e.value });
    return out;
  }

  /** How many messages of this type the node has sent (over all its incarnations). */
  sentBy(id: string, type: MessageType): number {
    return this.sentCount[this.host(id).index * TYPE_SLOTS + MESSAGE_TYPE_CODE[type]]!;
  }

  /** When the node last sent a message of this type; -Infinity if never. */
  lastSentAt(id: string, type: MessageType): number {
    return this.sentLastAt[this.host(id).index * TYPE_SLOTS + MESSAGE_TYPE_CODE[type]]!;
  }

  /** Fingerprint of every delivery so far (time, from, to, type, slot). */
  traceHash(): string {
    return this.trace.digest();
  }

  /** Throughput and latency of operations completed in [fromMs, toMs] (whole run by default). */
  stats(fromMs = 0, toMs = this.clock): SimulationStats {
    const latencies: number[] = [];
    let invoked = 0;
    for (const e of this.history) {
      if (e.invokedAt >= fromMs && e.invokedAt <= toMs) invoked++;
      if (e.returnedAt !== null && e.returnedAt >= fromMs && e.returnedAt <= toMs) {
        latencies.push(e.returnedAt - e.invokedAt);
      }
    }
    const c = this.counters;
    const seconds = (toMs - fromMs) / 1000;
    let busiest: Host | undefined;
    let nodeMessages = 0;
    for (const h of this.hosts) {
      if (h.isReplica && (busiest === undefined || h.slotsApplied > busiest.slotsApplied))
        busiest = h;
      if (h.isClient && h.roles.length === 1) continue;
      for (let t = 0; t < TYPE_SLOTS; t++)
        nodeMessages += this.sentCount[h.index * TYPE_SLOTS + t]!;
    }
    const slots = busiest?.slotsApplied ?? 0;
    const commands = busiest?.commandsApplied ?? 0;
    return {
      fromMs,
      toMs,
      opsInvoked: invoked,
      opsCompleted: latencies.length,
      throughputOpsPerSec: seconds > 0 ? latencies.length / seconds : 0,
      latencyMs: summarize(latencies),
      messages: { ...c },
      messagesDropped: c.lost + c.partitioned + c.toDeadNode,
      events: this.eventCount,
      engine: {
        slotsApplied: slots,
        commandsApplied: commands,
        commandsPerSlot: slots > 0 ? commands / slots : 0,
        nodeMessagesSent: nodeMessages,
      },
    };
  }

  /** Operations that completed in [fromMs, toMs]. */
  completedBetween(fromMs: number, toMs: number): number {
    let n = 0;
    for (const e of this.history) {
      if (e.returnedAt !== null && e.returnedAt >= fromMs && e.returnedAt <= toMs) n++;
    }
    return n;
  }
}

/** What a completed operation showed of its key's value. */
function observedValue(op: Operation, result: Result): string | null {
  switch (result.type) {
    case "get":
      return result.value;
    case "put":
      return op.type === "put" ? op.value : null;
    case "delete":
      return null;
    case "cas":
      return result.value;
  }
}
