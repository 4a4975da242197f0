// The node host: drives one sans-IO PaxosNode with a real clock, a real timer, a durable log
// and real sockets.
//
// One event-loop turn is one step of the engine: inputs (frames from peers, the timer) go in
// as they arrive, and a single `setImmediate` per turn drains what the node produced:
//   1. persist records -> appended and fdatasync'ed (one write + one sync per turn),
//   2. then messages -> grouped by destination, one frame per peer (batching on the wire),
//   3. then the timer is set at nextWakeAt().
// Draining once per turn rather than once per message is what batches fsyncs and frames
// under load, while an idle node still answers within the same turn.

import { randomBytes } from "node:crypto";
import {
  type Envelope,
  type NodeConfig,
  type NodeEvent,
  PaxosNode,
  type Role,
  seededRng,
} from "@paxos/core";
import {
  type Cluster,
  DEFAULT_MAX_CLIENTS,
  FRAME_ENVELOPE_BYTES,
  initialLinkSpec,
  nodeUrl,
} from "./cluster-file.js";
import { encodeFrame } from "./codec.js";
import type { ControlRequest, LinkStatus, NodeStatus } from "./control-protocol.js";
import { parseControlRequest } from "./control-protocol.js";
import { packFrames } from "./frame-packer.js";
import { isActive, LinkShaper, type LinkSpec } from "./link-emulation.js";
import { LogDigest } from "./log-digest.js";
import type { Logger } from "./logger.js";
import { PeerLink, TEXT_FRAME } from "./peer-link.js";
import { InboundServer, type Session } from "./server.js";
import { type NodeStorage, openStorage, type StorageMode } from "./storage/node-storage.js";
import { checkDataFrame } from "./validate.js";

export interface NodeHostOptions {
  readonly cluster: Cluster;
  readonly id: string;
  readonly dataDir: string;
  readonly logger: Logger;
  /** overrides the cluster file's `storage` (and its legacy `fsync`) */
  readonly storage?: StorageMode;
  /**
   * the engine's randomness (election jitter) and the client role's id come from this seed
   * instead of Math.random and random bytes, so a run replays; give every start its own
   */
  readonly seed?: number;
}

const MAX_CLIENT_BUFFER = 64 * 1024 * 1024;

export class NodeHost {
  readonly id: string;
  readonly node: PaxosNode;
  private readonly cluster: Cluster;
  private readonly log: Logger;
  private readonly storage: NodeStorage;
  private readonly server: InboundServer;
  private readonly links = new Map<string, PeerLink>();
  /** authenticated client connections by client id: responses go back on them */
  private readonly clients = new Map<string, Session>();
  private readonly digest = new LogDigest();
  private readonly startedAt = performance.now();
  /** what the messages of one frame may weigh together (the frame limit less its envelope) */
  private readonly frameBudgetBytes: number;

  /** link emulation: the default spec, per-peer specs, and the partition set */
  private defaultSpec: LinkSpec | undefined;
  private readonly peerSpecs = new Map<string, LinkSpec | null>();
  private readonly partitioned = new Set<string>();

  private turnScheduled = false;
  private timer: NodeJS.Timeout | undefined = undefined;
  private timerAt = Number.NaN;
  private stopped = false;
  /** counters for the control channel's status (cheap increments only) */
  private readonly counters = {
    turns: 0,
    syncs: 0,
    syncMs: 0,
    recordsPersisted: 0,
    compactions: 0,
    framesIn: 0,
    messagesIn: 0,
    framesOut: 0,
    messagesOut: 0,
    /** replica: slots applied and the commands in them (commands per slot = batching) */
    slotsApplied: 0,
    commandsApplied: 0,
    /** characters of the data frames sent (bytes, for ASCII JSON) */
    bytesOut: 0,
  };

  private constructor(options: NodeHostOptions, storage: NodeStorage, node: PaxosNode) {
    this.id = options.id;
    this.cluster = options.cluster;
    this.log = options.logger;
    this.storage = storage;
    this.node = node;
    this.frameBudgetBytes = options.cluster.maxFrameBytes - FRAME_ENVELOPE_BYTES;
    const self = options.cluster.nodesById.get(options.id)!;
    this.server = new InboundServer({
      host: self.host,
      port: self.port,
      maxPayload: options.cluster.maxFrameBytes,
      maxClients: options.cluster.file.maxClients ?? DEFAULT_MAX_CLIENTS,
      clusterId: options.cluster.file.clusterId,
      selfId: options.id,
      nodeIds: new Set(options.cluster.nodesById.keys()),
      secret: options.cluster.secret!,
      clientAuth: options.cluster.file.clientAuth === true,
      log: options.logger,
      onSession: (s) => this.onSession(s),
      onFrame: (s, f) => this.onFrame(s, f),
      onSessionClosed: (s) => this.onSessionClosed(s),
    });
    this.defaultSpec = options.cluster.file.links?.default;
    for (const peer of options.cluster.nodesById.keys()) {
      if (peer === options.id) continue;
      const spec = initialLinkSpec(options.cluster.file.links, options.id, peer);
      if (spec !== this.defaultSpec) this.peerSpecs.set(peer, spec ?? null);
    }
  }

  /** Recovers durable state, starts listening, and starts the engine. */
  static async start(options: NodeHostOptions): Promise<NodeHost> {
    const { cluster, id, logger } = options;
    const self = cluster.nodesById.get(id);
    if (self === undefined)
      throw new Error(`node id ${JSON.stringify(id)} is not in ${cluster.source}`);
    if (cluster.secret === undefined) {
      throw new Error(
        `${cluster.source}: no cluster secret: set "secret" in the file or PAXOS_CLUSTER_SECRET`,
      );
    }
    const mode: StorageMode =
      options.storage ?? cluster.file.storage ?? ((cluster.file.fsync ?? true) ? "fsync" : "file");
    const { storage, recovered } = openStorage({
      mode,
      dir: options.dataDir,
      clusterId: cluster.file.clusterId,
      nodeId: id,
      ...(cluster.file.compactLogBytes === undefined
        ? {}
        : { compactLogBytes: cluster.file.compactLogBytes }),
    });
    if (recovered.torn !== undefined) {
      logger.warn({ ...recovered.torn }, "cut a torn tail off the durable log");
    }
    if (recovered.staleSegments > 0) {
      logger.info(
        { segments: recovered.staleSegments },
        "deleted log segments an interrupted compaction left",
      );
    }
    const config: NodeConfig = {
      id,
      roles: self.roles as Role[],
      cluster: cluster.layout,
      timing: cluster.file.timing,
      replica: cluster.replica,
      leader: cluster.file.leader,
      limits: cluster.limits,
      // A client role numbers commands from 0 in every incarnation, so it needs a fresh id;
      // 128 random bits make a collision (another client's cached results) out of reach.
      // With a seed the id is the seed's (the runner gives each incarnation its own seed).
      clientId:
        options.seed === undefined
          ? `${id}.${randomBytes(16).toString("hex")}`
          : `${id}.seed-${options.seed}`,
    };
    let node: PaxosNode;
    try {
      node = new PaxosNode(config, {
        now: performance.now(),
        rng: options.seed === undefined ? { next: Math.random } : seededRng(options.seed),
        recovered: recovered.records,
      });
    } catch (error) {
      storage.close();
      throw error;
    }
    const host = new NodeHost(options, storage, node);
    try {
      await host.server.listen();
    } catch (error) {
      storage.close();
      throw error;
    }
    for (const peer of cluster.nodesById.keys()) if (peer !== id) host.applyLinkSpec(peer);
    logger.info(
      {
        roles: self.roles,
        url: nodeUrl(self),
        quorum: cluster.layout.quorum.describe(),
        recoveredRecords: recovered.records.length,
        snapshotSlot: recovered.snapshotSlot ?? null,
        storage: mode,
        pid: process.pid,
      },
      "node started",
    );
    host.scheduleTurn();
    return host;
  }

  /** Closes every connection and the durable log. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    // A graceful stop leaves a snapshot behind, so the next start reads it instead of
    // replaying decisions from its peers and the acceptors.
    if (this.node.snapshotNow()) this.runTurn();
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const link of this.links.values()) link.close();
    await this.server.close();
    this.storage.close();
    this.log.info("node stopped");
  }

  status(): NodeStatus {
    const { node } = this;
    const links: Record<string, LinkStatus> = {};
    for (const [peer, link] of this.links) {
      links[peer] = {
        state: link.linkState,
        spec: link.shaper?.model.spec ?? null,
        framesSent: link.stats.framesSent,
        framesDropped: link.stats.framesDropped,
        emulationDrops: link.shaper ? { ...link.shaper.drops } : null,
      };
    }
    return {
      id: this.id,
      pid: process.pid,
      roles: [...node.roles],
      uptimeMs: Math.round(performance.now() - this.startedAt),
      replica: node.replica
        ? {
            appliedBelow: node.replica.appliedBelow,
            digest: this.digest.hex,
            digestFrom: this.digest.from,
          }
        : null,
      leader: node.leader
        ? {
            active: node.leader.isActive,
            ballot: node.leader.currentBallot,
            decidedBelow: node.leader.decidedPrefix,
          }
        : null,
      acceptor: node.acceptor
        ? { promised: node.acceptor.promised, acceptedSlots: node.acceptor.acceptedCount }
        : null,
      partitioned: [...this.partitioned],
      links,
      clients: this.clients.size,
      badFrames: this.server.badFrameCount,
      storage: { mode: this.storage.mode, ...this.storage.stats },
      counters: {
        ...this.counters,
        syncMs: Math.round(this.counters.syncMs),
        // wall time the event loop spent running (not waiting for I/O), since start: a node
        // near 100% of the wall clock is the one holding a cluster back
        loopActiveMs: Math.round(performance.eventLoopUtilization().active),
      },
    };
  }

  // ---- the engine loop ------------------------------------------------------------------

  private scheduleTurn(): void {
    if (this.turnScheduled || this.stopped) return;
    this.turnScheduled = true;
    setImmediate(this.runTurn);
  }

  private readonly runTurn = (): void => {
    this.turnScheduled = false;
    if (this.stopped) return;
    const out = this.node.drain();
    const c = this.counters;
    c.turns++;
    // Persist, then send: nothing that may depend on this drain's records leaves before they
    // are durable. Sends the engine produced before its first record (a leader's p2a to the
    // other acceptors) cannot depend on them, so they go out first and the remote acceptors'
    // disks work while ours does. The fdatasync blocks the loop on purpose: measured against
    // a group commit on the thread pool (sends held until a covering sync completes),
    // blocking was faster at every load (e.g. 860 vs 520 ops/s at 1 outstanding, 17k vs 15k
    // at 128): whatever arrives during the sync is batched into the next turn's single sync.
    const { sends, persists } = out;
    const early = persists.length > 0 ? out.sendsBeforePersist : sends.length;
    c.messagesOut += sends.length;
    if (early > 0) this.route(early === sends.length ? sends : sends.slice(0, early));
    if (persists.length > 0) {
      const t0 = performance.now();
      this.storage.persist(persists);
      c.syncMs += performance.now() - t0;
      c.syncs++;
      c.recordsPersisted += persists.length;
      // Compact now, while what the engine holds is exactly what is durable.
      if (this.storage.maybeCompact(() => this.node.checkpoint())) {
        c.compactions++;
        if (this.log.isLevelEnabled("debug")) {
          this.log.debug({ ...this.storage.stats }, "durable log compacted");
        }
      }
    }
    if (out.events.length > 0) this.onEvents(out.events);
    if (early < sends.length) this.route(sends.slice(early));
    this.armTimer();
  };

  private armTimer(): void {
    const at = this.node.nextWakeAt();
    if (at === this.timerAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = Number.isFinite(at)
      ? setTimeout(this.onTimer, Math.max(1, Math.ceil(at - performance.now())))
      : undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.NaN;
    if (this.stopped) return;
    this.node.tick(performance.now());
    this.runTurn();
  };

  private onEvents(events: readonly NodeEvent[]): void {
    for (const event of events) {
      switch (event.type) {
        case "slotApplied":
          this.digest.apply(event.slot, event.value);
          this.counters.slotsApplied++;
          this.counters.commandsApplied += event.value.length;
          break;
        case "snapshotInstalled":
          this.digest.resetAt(event.slot);
          this.log.info({ slot: event.slot, from: event.from }, "snapshot installed");
          break;
        case "leadership":
          this.log.info(
            { ballot: event.ballot, active: event.active },
            event.active ? "leading" : "stopped leading",
          );
          break;
        case "snapshotTaken":
          if (this.log.isLevelEnabled("debug")) {
            this.log.debug({ slot: event.slot, bytes: event.bytes }, "snapshot taken");
          }
          break;
        case "refused":
          if (this.log.isLevelEnabled("debug")) {
            this.log.debug(
              { client: event.clientId, seq: event.seq, reason: event.reason },
              "operation refused",
            );
          }
          break;
        case "executed":
        case "completed":
          break;
      }
    }
  }

  /** Sends one drain's messages: one frame (or a few) per destination. */
  private route(sends: readonly Envelope[]): void {
    const frames = packFrames(
      this.id,
      sends,
      this.frameBudgetBytes,
      (to) => this.links.get(to)?.shaper?.loses() === true,
    );
    for (const { to, frame, messages } of frames) this.deliver(to, frame, messages);
  }

  private deliver(to: string, frame: Buffer, messages: number): void {
    this.counters.framesOut++;
    this.counters.bytesOut += frame.length;
    // Cannot happen while the engine keeps to maxMessageBytes: a guard, loud if it ever does.
    if (frame.length > this.cluster.maxFrameBytes) {
      this.log.error(
        { to, bytes: frame.length, messages },
        "frame larger than maxFrameBytes dropped",
      );
      return;
    }
    if (this.cluster.nodesById.has(to)) {
      this.linkTo(to).send(frame);
      return;
    }
    const client = this.clients.get(to);
    // A client that does not read its answers gets no more than MAX_CLIENT_BUFFER queued.
    if (
      client !== undefined &&
      client.ws.readyState === client.ws.OPEN &&
      client.ws.bufferedAmount < MAX_CLIENT_BUFFER
    ) {
      client.ws.send(frame, TEXT_FRAME);
    } else if (this.log.isLevelEnabled("debug")) {
      this.log.debug({ to }, "no connection to destination, frame dropped");
    }
  }

  private linkTo(peer: string): PeerLink {
    let link = this.links.get(peer);
    if (link === undefined) {
      link = new PeerLink({
        peerId: peer,
        url: nodeUrl(this.cluster.nodesById.get(peer)!),
        identity: {
          clusterId: this.cluster.file.clusterId,
          kind: "node",
          id: this.id,
          secret: this.cluster.secret,
        },
        maxPayload: this.cluster.maxFrameBytes,
        log: this.log,
        onData: () => {
          // Peers answer on their own links; nothing is expected back on ours.
        },
      });
      this.links.set(peer, link);
      this.applyLinkSpec(peer);
    }
    return link;
  }

  // ---- inbound ---------------------------------------------------------------------------

  private onSession(session: Session): void {
    if (session.kind === "client") this.clients.set(session.id, session);
  }

  private onSessionClosed(session: Session): void {
    if (this.clients.get(session.id) === session) this.clients.delete(session.id);
    if (this.stopped) return; // our own shutdown closed it: not news
    this.log[session.kind === "client" ? "debug" : "info"](
      { peer: session.id, kind: session.kind },
      "peer disconnected",
    );
  }

  private onFrame(session: Session, frame: Record<string, unknown>): void {
    if (this.stopped) return;
    if (session.kind === "control") {
      this.onControl(session, frame);
      return;
    }
    if (frame.t !== "msgs") {
      this.badFrame(session, `unexpected frame type ${JSON.stringify(frame.t ?? null)}`);
      return;
    }
    const check = checkDataFrame(frame, session.id, this.id);
    if (!check.ok) {
      this.badFrame(session, check.reason);
      return;
    }
    if (session.kind === "client") {
      // A client may only ask, and only in its own name: it must not speak for the protocol.
      for (const m of check.msgs) {
        if (m.type !== "request") {
          this.badFrame(session, `client sent a ${m.type} message`);
          return;
        }
        if (m.command.clientId !== session.id) {
          const claimed = JSON.stringify(m.command.clientId);
          this.badFrame(
            session,
            `request for client ${claimed} on the connection of ${JSON.stringify(session.id)}`,
          );
          return;
        }
      }
    }
    this.counters.framesIn++;
    this.counters.messagesIn += check.msgs.length;
    const now = performance.now();
    for (const m of check.msgs) {
      let taken: boolean;
      try {
        taken = this.node.receive(session.id, m, now);
      } catch (error) {
        // Validated input made the engine throw: a bug. Crash like a real node would (the
        // durable log keeps what was promised) rather than run on with half-updated state.
        this.log.fatal(
          { peer: session.id, type: m.type, err: (error as Error).stack },
          "engine threw",
        );
        throw error;
      }
      if (!taken && this.log.isLevelEnabled("debug")) {
        this.log.debug(
          { peer: session.id, type: m.type },
          "message for a role this node does not have",
        );
      }
    }
    this.scheduleTurn();
  }

  private badFrame(session: Session, reason: string): void {
    this.server.badFrame(session, reason);
  }

  // ---- control channel -------------------------------------------------------------------

  private onControl(session: Session, frame: Record<string, unknown>): void {
    const reqId = frame.reqId;
    if (frame.t !== "control" || typeof reqId !== "number" || !Number.isSafeInteger(reqId)) {
      this.badFrame(session, "control connection sent something other than a control request");
      return;
    }
    const { t: _t, v: _v, reqId: _r, ...request } = frame;
    const parsed = parseControlRequest(request);
    let reply: Record<string, unknown>;
    if (typeof parsed === "string") {
      this.log.warn({ peer: session.id, reason: parsed }, "control request refused");
      reply = { t: "controlReply", reqId, ok: false, error: parsed };
    } else {
      try {
        reply = { t: "controlReply", reqId, ok: true, result: this.control(parsed) };
      } catch (error) {
        reply = { t: "controlReply", reqId, ok: false, error: (error as Error).message };
      }
    }
    session.ws.send(encodeFrame({ t: "controlReply", ...reply }));
  }

  private control(request: ControlRequest): unknown {
    switch (request.op) {
      case "status":
        return this.status();
      case "setLink": {
        if (request.peer === "*") {
          this.defaultSpec = request.spec ?? undefined;
          for (const peer of this.cluster.nodesById.keys())
            if (peer !== this.id) this.applyLinkSpec(peer);
        } else {
          this.checkPeer(request.peer);
          this.peerSpecs.set(request.peer, request.spec);
          this.applyLinkSpec(request.peer);
        }
        this.log.info({ peer: request.peer, spec: request.spec }, "link spec set");
        return { links: this.status().links };
      }
      case "partition":
        for (const peer of request.peers) this.checkPeer(peer);
        for (const peer of request.peers) {
          this.partitioned.add(peer);
          this.applyLinkSpec(peer);
        }
        this.log.info({ peers: request.peers }, "partitioned from peers");
        return { partitioned: [...this.partitioned] };
      case "heal": {
        const peers = request.peers ?? [...this.partitioned];
        for (const peer of peers) {
          this.partitioned.delete(peer);
          this.applyLinkSpec(peer);
        }
        this.log.info({ peers }, "partition healed");
        return { partitioned: [...this.partitioned] };
      }
      case "setLogLevel":
        this.log.level = request.level;
        return { level: request.level };
    }
  }

  private checkPeer(peer: string): void {
    if (!this.cluster.nodesById.has(peer) || peer === this.id) {
      throw new Error(`unknown peer ${JSON.stringify(peer)} (expected another node's id)`);
    }
  }

  /** Installs the shaper for one peer, or removes it when nothing is emulated (zero cost). */
  private applyLinkSpec(peer: string): void {
    const link = this.links.get(peer);
    if (link === undefined) return; // applied when the link is first used
    const own = this.peerSpecs.get(peer);
    let spec: LinkSpec | undefined = own === undefined ? this.defaultSpec : (own ?? undefined);
    if (this.partitioned.has(peer)) spec = { ...spec, down: true };
    link.shaper?.dispose();
    link.shaper = isActive(spec) ? new LinkShaper(spec, link.transmit) : undefined;
  }
}
